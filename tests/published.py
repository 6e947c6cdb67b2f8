"""Numbers that publications give, shared by the tests that reproduce them."""
from __future__ import annotations

# Matt Mazur, "A Step by Step Backpropagation Example" (2015),
# https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/ :
# a 2-2-2 sigmoid network, its input, targets and starting weights.
MAZUR_INPUTS = [0.05, 0.10]
MAZUR_TARGETS = [0.01, 0.99]
MAZUR_STATE = {
    "layers.0.weight": [[0.15, 0.20], [0.25, 0.30]],  # w1 w2 into h1, w3 w4 into h2
    "layers.0.bias": [0.35, 0.35],                    # b1
    "layers.1.weight": [[0.40, 0.45], [0.50, 0.55]],  # w5 w6 into o1, w7 w8 into o2
    "layers.1.bias": [0.60, 0.60],                    # b2
}
