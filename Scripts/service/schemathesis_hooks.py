"""Schemathesis hooks for stclip: send generated `video/*` bodies as `video/mp4`, raw bytes as for
application/octet-stream (schemathesis has no serializer for a media type range)."""
import schemathesis


@schemathesis.serializer("video/mp4")
def video(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
