from .base import Mixin


class Both(Mixin):
    pass
