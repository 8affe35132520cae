use clap::Parser;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    if let Err(e) = rtgs2::cli::run(rtgs2::cli::Cli::parse()) {
        // The whole cause chain on one line, no backtrace: errors here are the user's to fix
        // (a file, an argument), and every message names what is wrong.
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
