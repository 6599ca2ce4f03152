"""The protocol library: one TOML file per recall protocol (read by astrobrian.protocols, never imported)."""
