.PHONY: install check test bench
install:
	python -m pip install -e '.[dev,bench]'
check:
	scripts/check
test:
	python -m pytest
bench:
	python benchmarks/import_benchmark.py
