"""Neural networks built on autograd_mini's Value: modules, losses, optimizers and fit."""
from nn.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                       hinge_loss, l2_penalty, mse_loss)
from nn.modules import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, ConjugateGradient, LearningRateError, NonFiniteUpdate, Rprop
from nn.serialization import ModelFileError
from nn.training import CompileMismatch, TrainingDiverged, TrainingStopped, fit

__all__ = ["Module", "Neuron", "Layer", "MLP", "SGD", "Adam", "Rprop", "ConjugateGradient",
           "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "hinge_loss", "l2_penalty", "fit", "TrainingStopped",
           "TrainingDiverged", "NonFiniteUpdate", "LearningRateError", "CompileMismatch",
           "ModelFileError"]
