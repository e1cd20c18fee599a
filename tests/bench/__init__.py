"""Benchmarks, run as modules (`python -m tests.bench.bench_send`); pytest skips them."""
