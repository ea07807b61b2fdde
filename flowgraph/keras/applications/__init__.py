"""`tf.keras.applications` as TF 1.15 had it: VGG16, VGG19 and ResNet50 with their
`preprocess_input` / `decode_predictions`. ``weights=None`` builds random initial weights;
flowgraph never downloads, so 'imagenet' needs the weights file already on disk."""

from flowgraph.keras.applications import imagenet_utils, resnet50, vgg16, vgg19
from flowgraph.keras.applications.resnet50 import ResNet50
from flowgraph.keras.applications.vgg16 import VGG16
from flowgraph.keras.applications.vgg19 import VGG19

__all__ = ["ResNet50", "VGG16", "VGG19", "imagenet_utils", "resnet50", "vgg16", "vgg19"]

from flowgraph.keras.applications import densenet, inception_v3, resnet, resnet_v2, xception  # noqa: E402,E501,I001
from flowgraph.keras.applications.densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: E402
from flowgraph.keras.applications.inception_v3 import InceptionV3  # noqa: E402
from flowgraph.keras.applications.xception import Xception  # noqa: E402
from flowgraph.keras.applications.resnet import ResNet101, ResNet152  # noqa: E402
from flowgraph.keras.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2  # noqa: E402,E501
__all__ += ["DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3", "Xception", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2", "densenet", "inception_v3", "resnet", "resnet_v2", "xception"]  # noqa: E501
from flowgraph.keras.applications import mobilenet, mobilenet_v2  # noqa: E402,I001
from flowgraph.keras.applications.mobilenet import MobileNet  # noqa: E402
from flowgraph.keras.applications.mobilenet_v2 import MobileNetV2  # noqa: E402
__all__ += ["MobileNet", "MobileNetV2", "mobilenet", "mobilenet_v2"]
