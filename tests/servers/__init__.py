"""HTTP servers the media tests start on 127.0.0.1 (and always stop)."""
