"""vessay: a YAML video-essay script in, a narrated, themed, moving MP4 out."""

__version__ = "0.1.0"
