"""Qt item models: one module per model. Models hold display state only, no I/O."""
