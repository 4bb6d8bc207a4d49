"""`herodesk bench`: seed a large desk, start the production server and measure latency over HTTP."""
