use clap::Parser;

fn main() -> anyhow::Result<()> {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    rtgs2::cli::run(rtgs2::cli::Cli::parse())
}
