"""Neural networks built on autograd_mini's Value: modules, losses, optimizers and fit.

    modules.py        Module (finds the Values and Modules held as attributes), Neuron,
                      Layer, MLP: each knows its parameter shapes and whether its graph
                      is static (compiled training); _discovery.py finds and labels parts
    layers.py         Linear and Sequential, as PyTorch's
    activations.py    one module per activation: Tanh, ReLU, Sigmoid, LeakyReLU, ...
    losses.py         mse, binary cross-entropy (also with logits), hinge, cross-entropy
    optim.py          SGD, Adam, Rprop, ConjugateGradient (_line_search.py: its search)
    schedules.py      learning-rate schedules (linear, cosine, step) told the run's length
    training.py       fit and accuracy; _compiled.py its eager and compiled step runners,
                      _training_data.py the data's checks, _fit_arguments.py its other
                      arguments, _evaluation.py accuracy and loss without a graph,
                      _progress.py the bar
    serialization.py  model files, atomic and validated (_files.py writes them;
                      _architecture.py reads and checks what class to build)
    plot.py           decision_boundary and history, with matplotlib (the plot extra)
    datasets.py       toy data made without downloads; demo.py the demo
    _checks.py        the one place arguments are checked: a wrong kind is a TypeError,
                      a wrong value a ValueError

nn uses only autograd_mini's public names.
"""
from nn.activations import (ELU, GELU, Identity, LeakyReLU, ReLU, Sigmoid, SiLU, Softplus,
                            Tanh)
from nn.layers import Linear, Sequential
from nn.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                       hinge_loss, l2_penalty, mse_loss)
from nn import schedules
from nn.modules import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, ConjugateGradient, LearningRateError, NonFiniteUpdate, Rprop
from nn.serialization import ModelFileError
from nn.training import CompileMismatch, TrainingDiverged, TrainingStopped, fit

__all__ = ["Module", "Neuron", "Layer", "MLP", "Linear", "Sequential",
           "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "ELU", "Softplus", "SiLU", "GELU", "Identity",
           "SGD", "Adam", "Rprop", "ConjugateGradient",
           "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "hinge_loss", "l2_penalty", "fit", "TrainingStopped",
           "TrainingDiverged", "NonFiniteUpdate", "LearningRateError", "CompileMismatch",
           "ModelFileError", "schedules"]
