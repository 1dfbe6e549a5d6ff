"""Seed-style classes for testing `backprop-spec verify`: correct variants, planted bugs, protocol failures."""
