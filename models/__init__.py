"""The model library: one TOML file per Brian2 model (read by astrobrian.models, never imported)."""
