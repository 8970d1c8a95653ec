"""The shared fixtures of tests/conftest.py are checked too: every gradient check leans on
finite_difference, so it must find a known gradient and restore what it nudged."""
import numpy as np
import pytest


def test_finite_difference_finds_a_known_gradient(finite_difference):
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    grad = finite_difference(lambda v: np.sum(v ** 3) + v[0, 1] * v[1, 0], x)
    expected = 3 * x ** 2 + np.array([[0.0, x[1, 0]], [x[0, 1], 0.0]])
    np.testing.assert_allclose(grad, expected, atol=1e-8)
    assert not np.allclose(grad, 3 * x ** 2, atol=1e-3)      # the cross term is seen, not just the diagonal


def test_finite_difference_restores_its_input(finite_difference):
    x = np.linspace(-1.0, 1.0, 5)
    before = x.copy()
    finite_difference(lambda v: np.sum(np.sin(v)), x)
    assert np.array_equal(x, before)


def test_finite_difference_refuses_low_precision(finite_difference):
    with pytest.raises(TypeError, match="float64"):
        finite_difference(np.sum, np.ones(3, dtype=np.float32))


def test_run_main_returns_what_the_demo_prints(run_main, tmp_path):
    script = tmp_path / "demo.py"
    script.write_text("import sys\nif __name__ == '__main__':\n    print('args', sys.argv[1:])\n")
    assert run_main(script, "--check") == "args ['--check']\n"
