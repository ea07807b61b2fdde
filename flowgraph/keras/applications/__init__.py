"""`tf.keras.applications` as TF 1.15 had it: VGG16, VGG19 and ResNet50 with their
`preprocess_input` / `decode_predictions`. ``weights=None`` builds random initial weights;
flowgraph never downloads, so 'imagenet' needs the weights file already on disk."""

from flowgraph.keras.applications import imagenet_utils, resnet50, vgg16, vgg19
from flowgraph.keras.applications.resnet50 import ResNet50
from flowgraph.keras.applications.vgg16 import VGG16
from flowgraph.keras.applications.vgg19 import VGG19

__all__ = ["ResNet50", "VGG16", "VGG19", "imagenet_utils", "resnet50", "vgg16", "vgg19"]
