"""Neural networks built on autograd_mini's Value."""
