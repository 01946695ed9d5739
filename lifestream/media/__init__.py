"""Media stages on PyAV: probe (stage 1), keyframes and scenes (stage 2), audio extraction (stage 3)."""
