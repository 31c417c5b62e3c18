"""End-to-end tests: the gateway runs as a real ``ilp-gateway serve`` process on 127.0.0.1."""
