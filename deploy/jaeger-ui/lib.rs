// Empty: this package only exists to fetch the Jaeger UI build (see Cargo.toml).
