// A script imports Lab and has the whole public API: layers, models, data, figures.
@_exported import Datasets
@_exported import Evaluation
@_exported import Gallery
@_exported import Models
@_exported import NN
@_exported import Training
