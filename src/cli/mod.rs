//! The `rtgs2` command line (work in progress).
