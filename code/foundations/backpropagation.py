"""Backpropagation: a scalar reverse-mode autograd engine, and matrix-form backprop for an MLP.

Page: docs/foundations/backpropagation.md (topic 7). `Value` records every operation in a computational
graph and, on `backward()`, visits the graph once in reverse topological order, adding each node's
gradient times a local derivative into its parents: reverse-mode automatic differentiation (Linnainmaa
1970; survey: Baydin, Pearlmutter, Radul & Siskind 2018, "Automatic differentiation in machine learning").
The MLP part writes the same rule in matrix form, dZ^L = (P - T)/N, dW = dZ^T A, db = sum of dZ's rows,
dA = dZ W, as used to train networks by Rumelhart, Hinton & Williams (1986), "Learning representations by
back-propagating errors". Everything is checked against torch.autograd and central finite differences.

    python code/foundations/backpropagation.py              # demo: the engine and the MLP backward pass
    python code/foundations/backpropagation.py --check      # max |difference| against PyTorch, float64
    python code/foundations/backpropagation.py --batch      # why dJ/dw is mean(delta * a), not mean(a)
    python code/foundations/backpropagation.py --pitfalls   # the classic mistakes and their symptoms
"""
import sys  # only the command line at the bottom uses it

# --8<-- [start:imports]
import math
import numbers

import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:value]


class Value:
    """One real number in a computational graph. After J.backward(), node.grad holds dJ/d(node)."""

    def __init__(self, data, parents=(), op="leaf"):
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value holds one real number (a scalar); got {type(data).__name__} "
                            f"of shape {np.shape(data)}. For arrays, use the matrix form below.")
        if not math.isfinite(data):
            raise ValueError(f"Value must be a finite number, got {data} (did an operation overflow?)")
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents            # the nodes this one was computed from
        self.op = op                      # which operation made it (for printing)
        self._backward = lambda: None     # a leaf has nobody to pass its gradient to

    def __repr__(self):
        return f"Value({self.data:.6g}, grad={self.grad:.6g}, op={self.op!r})"

    def _child(self, data, op, *pairs):
        """A new node made from (parent, local derivative d out / d parent) pairs, eq. (4)."""
        out = Value(data, tuple(parent for parent, _ in pairs), op)
        def _backward():
            for parent, local in pairs:
                parent.grad += local * out.grad   # +=, not =: a node used twice gets both terms, eq. (2)
        out._backward = _backward
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other, op="const")
        return self._child(self.data + other.data, "+", (self, 1.0), (other, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other, op="const")
        return self._child(self.data * other.data, "*", (self, other.data), (other, self.data))

    def __pow__(self, p):
        if isinstance(p, (bool, Value)) or not isinstance(p, (int, float)):
            raise TypeError(f"the exponent must be a constant int or float, got {type(p).__name__}; "
                            "for x ** y with y a Value write (y * x.log()).exp()")
        x = self.data
        if (p != int(p) and x <= 0) or (p < 0 and x == 0):
            raise ValueError(f"x ** {p} needs x > 0 for a non-integer exponent and x != 0 for a "
                             f"negative one (division by zero), got x = {x}")
        return self._child(x ** p, f"**{p}", (self, p * x ** (p - 1) if p != 0 else 0.0))

    def __neg__(self):
        return self._child(-self.data, "neg", (self, -1.0))

    def __sub__(self, other):
        return self + (-other)

    def __truediv__(self, other):             # a / b = a * b**-1: its derivatives come from * and **
        other = other if isinstance(other, Value) else Value(other, op="const")
        return self * other ** -1

    __radd__ = __add__                        # 2 + v, 2 * v: Python asks v once the number 2 gives up
    __rmul__ = __mul__

    def __rsub__(self, other):
        return Value(other, op="const") - self

    def __rtruediv__(self, other):
        return Value(other, op="const") / self

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:                 # e^x is beyond the largest float64 for x > 709.78
            raise OverflowError(f"exp(x) overflows float64 for x > 709.78, got x = {self.data}") from None
        return self._child(e, "exp", (self, e))                    # (e^x)' = e^x

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log(x) is defined for x > 0 only (domain (0, inf)), got x = {self.data}")
        return self._child(math.log(self.data), "log", (self, 1.0 / self.data))

    def tanh(self):
        t = math.tanh(self.data)
        return self._child(t, "tanh", (self, 1.0 - t * t))         # tanh' = 1 - tanh^2

    def relu(self):
        return self._child(max(self.data, 0.0), "relu", (self, 1.0 if self.data > 0 else 0.0))

    def sigmoid(self):
        e = math.exp(-abs(self.data))         # never overflows: the exponent is <= 0
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        return self._child(s, "sigmoid", (self, s * (1.0 - s)))    # sigma' = sigma (1 - sigma)

    def topological_order(self):
        """Every node of the graph ending here, each one after all of its parents."""
        order, seen, stack = [], {self}, [(self, iter(self.parents))]
        while stack:                          # a loop, not recursion: a chain of 10^5 nodes is fine
            node, parents = stack[-1]
            for parent in parents:
                if parent not in seen:        # visit an unseen parent first ...
                    seen.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:                             # ... and place the node once all its parents are placed
                stack.pop()
                order.append(node)
        return order

    def backward(self):
        """Set node.grad = dJ/d(node) for every node, J = self. Zeroes the graph first, so calling it
        again (or on a new graph over the same leaves) gives the same grads instead of adding to them."""
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0                       # dJ/dJ
        for node in reversed(order):          # a node's grad is complete before it is passed on
            node._backward()
# --8<-- [end:value]
# --8<-- [start:mlp]


def init_mlp(sizes, seed=0):
    """[(W^l, b^l)] for l = 1..L: W^l of shape (m_l, m_{l-1}), b^l of shape (m_l,)."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(m, d)) / np.sqrt(d), 0.1 * rng.normal(size=m))    # keeps Z of order 1
            for d, m in zip(sizes[:-1], sizes[1:])]


def mlp_forward(X, params):
    """Eq. (6): A^0 = X, Z^l = A^{l-1} W^l^T + b^l, ReLU on hidden layers. Returns the logits Z^L and
    the cache [(A^{l-1}, Z^l)] that the backward pass reads."""
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[1] != params[0][0].shape[1]:
        raise ValueError(f"X must have shape (N, d) with d = {params[0][0].shape[1]}, got {A.shape}")
    cache = []
    for l, (W, b) in enumerate(params, start=1):
        Z = A @ W.T + b                                  # (N, m_l)
        cache.append((A, Z))
        A = np.maximum(Z, 0.0) if l < len(params) else Z
    return Z, cache


def softmax_cross_entropy(Z, y):
    """Eq. (7): J = -(1/N) sum_n log P[n, y_n], P = softmax(Z); log-sum-exp keeps +-1e4 finite."""
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    if Z.ndim != 2:
        raise ValueError(f"logits Z must have shape (N, C), got {Z.shape}")
    N, C = Z.shape
    if y.dtype.kind not in "iu" or y.shape != (N,) or np.any((y < 0) | (y >= C)):
        raise ValueError(f"y must be integer class indices of shape (N,) = ({N},) in [0, C) = [0, {C}), "
                         f"got dtype {y.dtype}, shape {y.shape}")
    shifted = Z - Z.max(axis=1, keepdims=True)           # (N, C), every entry <= 0
    log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_P[np.arange(N), y].mean(), np.exp(log_P)


def mlp_backward(params, cache, P, y):
    """Eqs. (8)-(12): [(dW^l, db^l)] for l = 1..L, from the top layer down."""
    N, C = P.shape
    dZ = (P - np.eye(C)[y]) / N                          # (N, m_L), eq. (8): the 1/N enters once, here
    grads = []
    for l in reversed(range(len(params))):
        A_prev, _ = cache[l]                             # A^{l-1}: (N, m_{l-1})
        W = params[l][0]                                 # (m_l, m_{l-1})
        grads.append((dZ.T @ A_prev, dZ.sum(axis=0)))    # eq. (9): (m_l, m_{l-1}); eq. (10): (m_l,)
        if l > 0:
            dA = dZ @ W                                  # eq. (11): (N, m_{l-1}), sum over next layer
            dZ = dA * (cache[l - 1][1] > 0)              # eq. (12): relu'(Z^{l-1}) is 1 where Z > 0
    return grads[::-1]


def mlp_cost_and_grads(X, y, params):
    Z, cache = mlp_forward(X, params)
    J, P = softmax_cross_entropy(Z, y)
    return J, mlp_backward(params, cache, P, y)
# --8<-- [end:mlp]
# --8<-- [start:gradcheck]


def numerical_gradient(f, theta, h=1e-6):
    """Central differences, eq. (14): (f(theta + h e_i) - f(theta - h e_i)) / 2h for each entry i.
    Nudges theta in place (and restores it), so f can read it from wherever it lives."""
    g = np.zeros_like(theta)
    for i in np.ndindex(theta.shape):
        old = theta[i]
        theta[i] = old + h
        f_plus = f()
        theta[i] = old - h
        f_minus = f()
        theta[i] = old
        g[i] = (f_plus - f_minus) / (2 * h)
    return g


def relative_error(g, g_num):
    """Eq. (16): ||g - g_num|| / (||g|| + ||g_num||), 0 when both are 0."""
    scale = np.linalg.norm(g) + np.linalg.norm(g_num)
    return 0.0 if scale == 0 else float(np.linalg.norm(g - g_num) / scale)


def gradient_check(X, y, params, h=1e-6):
    """Relative error of every backprop dW^l, db^l against central differences: [(name, error)]."""
    _, grads = mlp_cost_and_grads(X, y, params)
    cost = lambda: softmax_cross_entropy(mlp_forward(X, params)[0], y)[0]          # noqa: E731
    return [(f"{name}{l}", relative_error(g, numerical_gradient(cost, theta, h)))
            for l, ((W, b), (dW, db)) in enumerate(zip(params, grads), start=1)
            for name, theta, g in (("dW", W, dW), ("db", b, db))]


def step_size_sweep(dtype, hs=(1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)):
    """Eq. (15) measured: relative error of central differences for f(x) = sum(tanh(x)^2) in `dtype`."""
    x = np.linspace(-1.0, 1.0, 5).astype(dtype)
    exact = 2 * np.tanh(x.astype(np.float64)) * (1 - np.tanh(x.astype(np.float64)) ** 2)
    f = lambda: np.sum(np.tanh(x) ** 2)                                             # noqa: E731
    return [relative_error(exact, numerical_gradient(f, x, dtype(h)).astype(np.float64)) for h in hs]
# --8<-- [end:gradcheck]
# --8<-- [start:batch_mean]


def batch_mean_example():
    """One neuron z_n = w a_n + b, loss (z_n - y_n)^2 / 2, J = mean over N = 3 examples.
    Returns dJ/dw three ways: eq. (13), the product of means, and the mean of the activations."""
    a = np.array([1.0, 2.0, 4.0])                        # (N,) input activations
    y = np.array([0.0, 0.0, 3.0])                        # (N,) targets
    w, b = 0.5, 0.0
    delta = (w * a + b) - y                              # (N,) delta_n = dl_n/dz_n = z_n - y_n
    return {"mean(delta * a)": np.mean(delta * a),
            "mean(delta) * mean(a)": np.mean(delta) * np.mean(a),
            "mean(a)": np.mean(a)}, (a, y, w, b)
# --8<-- [end:batch_mean]
# --8<-- [start:fan_out]


def activation_gradient_loop(dZ, W):
    """dJ/dA^{l-1}[n, k] as the chain rule says it: a sum over the m_l neurons j that A[n, k] feeds."""
    N, m = dZ.shape                                      # dZ = dJ/dZ^l: (N, m_l); W = W^l: (m_l, m_{l-1})
    dA = np.zeros((N, W.shape[1]))                       # (N, m_{l-1})
    for n in range(N):
        for k in range(W.shape[1]):
            for j in range(m):                           # every neuron of the next layer reads A[n, k]
                dA[n, k] += dZ[n, j] * W[j, k]           # dJ/dZ[n, j] * dZ[n, j]/dA[n, k]
    return dA                                            # equals dZ @ W, eq. (11)
# --8<-- [end:fan_out]
# --8<-- [start:example]


def example_batch():
    """N = 4 examples, d = 3 features, C = 3 classes; an MLP 3 -> 5 -> 4 -> 3."""
    X = np.random.default_rng(2).normal(size=(4, 3))     # (N, d)
    y = np.array([0, 2, 1, 2])                           # (N,) class indices
    return X, y, init_mlp([3, 5, 4, 3], seed=0)

# --8<-- [end:example]
# --8<-- [start:torch_way]


def to_torch(params):
    """nn.Sequential(Linear, ReLU, ..., Linear) in float64 holding exactly these weights."""
    layers = []
    for W, b in params:
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():                            # copying in is not part of the graph
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, nn.ReLU()]
    return nn.Sequential(*layers[:-1])                   # no ReLU after the output layer


def torch_cost_and_grads(X, y, params):
    model = to_torch(params)
    J = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y))   # mean over the batch
    J.backward()                                         # fills .grad of every parameter
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return J.item(), [(m.weight.grad.numpy(), m.bias.grad.numpy()) for m in linears]

# --8<-- [end:torch_way]
# --8<-- [start:pitfalls]


class OverwritingValue(Value):
    """The classic bug: parent.grad = ... instead of +=. Right on trees, wrong once a node is reused."""

    def _child(self, data, op, *pairs):
        out = OverwritingValue(data, tuple(parent for parent, _ in pairs), op)
        def _backward():
            for parent, local in pairs:
                parent.grad = local * out.grad           # BUG: the last path wins, the others are lost
        out._backward = _backward
        return out


def recursive_order(node, order=None, seen=None):
    """Topological order by recursion: short, and a RecursionError on a chain of a few thousand nodes."""
    order, seen = ([], set()) if order is None else (order, seen)
    if node not in seen:
        seen.add(node)
        for parent in node.parents:
            recursive_order(parent, order, seen)
        order.append(node)
    return order


def deep_chain(n, x0=0.5):
    """x, tanh(x), tanh(tanh(x)), ...: n nodes in a row; returns (leaf, last node)."""
    x = node = Value(x0)
    for _ in range(n):
        node = node.tanh()
    return x, node


def torch_error(make_graph_and_fail):
    """The first line of the error PyTorch raises, or None."""
    try:
        make_graph_and_fail()
    except RuntimeError as error:
        return str(error).split(" (")[0].split(":")[0]  # the message up to its first detail
    return None


def kink_example(h=1e-6):
    """A hidden pre-activation Z^1[0, 0] closer to 0 than h: central differences straddle ReLU's kink."""
    X, y, params = example_batch()
    Z1 = mlp_forward(X, params)[1][0][1]                 # (N, m_1)
    params[0][1][0] -= Z1[0, 0] - h / 10                 # shift b^1_0 so that Z^1[0, 0] = h / 10
    return dict(gradient_check(X, y, params, h))["dW1"]
# --8<-- [end:pitfalls]
# --8<-- [start:ex_two_paths]


def ex_two_paths(a=0.7, b=-1.2):
    """L = tanh(a b) * a. Returns (engine dL/da, dL/db) and the hand-derived (dL/da, dL/db)."""
    A, B = Value(a), Value(b)
    L = (A * B).tanh() * A
    L.backward()
    t = math.tanh(a * b)
    by_hand = ((1 - t * t) * b * a + t, (1 - t * t) * a * a)   # path through tanh + direct path
    return (A.grad, B.grad), by_hand
# --8<-- [end:ex_two_paths]
# --8<-- [start:ex_covariance]


def ex_covariance(delta, a):
    """mean(delta * a) and mean(delta) * mean(a) + cov(delta, a): always equal (population cov)."""
    delta, a = np.asarray(delta, dtype=np.float64), np.asarray(a, dtype=np.float64)
    cov = np.mean((delta - delta.mean()) * (a - a.mean()))
    return np.mean(delta * a), np.mean(delta) * np.mean(a) + cov
# --8<-- [end:ex_covariance]
# --8<-- [start:ex_softplus]


def softplus(x):
    """log(1 + e^x) = relu(x) + log(1 + e^{-|x|}) from engine ops, with -|x| = x - 2 relu(x)."""
    x = x if isinstance(x, Value) else Value(x)
    return x.relu() + (1 + (x - 2 * x.relu()).exp()).log()    # exp of a number <= 0: never overflows
# --8<-- [end:ex_softplus]


def plot_chain_rule():
    """A 2-2-2 network with softmax cross-entropy: values flow right, gradients dJ/d(node) flow left."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x = [Value(1.0), Value(0.5)]
    W1, W2 = [[0.8, -0.4], [0.3, 0.9]], [[1.2, -0.7], [-0.5, 0.6]]
    a = [(W1[j][0] * x[0] + W1[j][1] * x[1] + 0.1).relu() for j in range(2)]      # hidden ReLUs
    z = [W2[c][0] * a[0] + W2[c][1] * a[1] for c in range(2)]                      # logits
    J = -(z[1] - (z[0].exp() + z[1].exp()).log())                                  # true class: 1
    J.backward()                                         # the engine fills in every dJ/d(node)
    layers = [(x, "x", 0.0), (a, "a", 2.2), (z, "z", 4.4), ([J], "J", 6.4)]
    xy = [[(col, 0.0 if len(ns) == 1 else 0.8 - 1.6 * i) for i in range(len(ns))] for ns, _, col in layers]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for left, right in zip(xy[:-1], xy[1:]):            # fully connected: every node feeds the next layer
        for p in left:
            for q in right:
                ax.annotate("", q, p, arrowprops=dict(arrowstyle="-|>", color="0.75", shrinkA=14, shrinkB=14))
    for q in xy[2]:                                      # a_1 feeds both logits, so it collects from both
        ax.annotate("", xy[1][0], q, arrowprops=dict(arrowstyle="-|>", color="C3", lw=1.6, shrinkA=14,
                                                     shrinkB=14, connectionstyle="arc3,rad=-0.2"))
    for (nodes, name, _), points in zip(layers, xy):
        for i, (n, (px, py)) in enumerate(zip(nodes, points), start=1):
            label = name if name == "J" else f"{name}_{i}"
            ax.text(px, py, f"${label}$", ha="center", va="center", fontsize=11,
                    bbox=dict(boxstyle="circle,pad=0.35", fc="white", ec="k"))
            up = 1 if py > 0 or name == "J" else -1      # labels on the outside, edges keep the middle
            ax.text(px, py + up * 0.3, f"{n.data:.3f}", ha="center", va="center", fontsize=9)
            grad_y = py + (0.55 * up if name != "J" else -0.5)
            ax.text(px, grad_y, f"$\\partial J/\\partial {label}$ = {n.grad:.3f}", ha="center", va="center",
                    fontsize=9, color="C3")
    ax.annotate("forward: values", (7.4, 1.75), (-0.5, 1.75), va="center", fontsize=9,
                arrowprops=dict(arrowstyle="->", color="k"))
    ax.annotate("backward: gradients", (-0.5, -1.75), (7.4, -1.75), va="center", ha="right", fontsize=9,
                color="C3", arrowprops=dict(arrowstyle="->", color="C3"))
    ax.text(6.4, 0.95, "$a_1$ feeds both $z_c$, so\n"
            r"$\partial J/\partial a_1 = \sum_c \partial J/\partial z_c \, W^2_{c1}$", ha="center", va="center",
            fontsize=9, color="C3")
    ax.set(xlim=(-0.7, 7.6), ylim=(-1.9, 1.9))
    ax.axis("off")
    return fig


def check():
    """Print, for the engine and the MLP backward pass, the max |difference| against PyTorch (float64)."""
    t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)        # noqa: E731
    expressions = {                       # each works on Values and on torch tensors alike
        "a*b + a": lambda a, b, c: a * b + a,
        "(a/b - c)**2 + exp(-a)": lambda a, b, c: (a / b - c) ** 2 + (-a).exp(),
        "log(sigmoid(a) + b*b) * tanh(c)": lambda a, b, c: (a.sigmoid() + b * b).log() * c.tanh(),
        "relu(a - b) / (1 + c**2) - 3": lambda a, b, c: (a - b).relu() / (1 + c ** 2) - 3,
        "(a*a + b*b)**0.5 * a**-1.5": lambda a, b, c: (a * a + b * b) ** 0.5 * a ** -1.5,
    }
    leaves = (0.8, -1.3, 0.4)
    print(f"{'Value vs torch.autograd':34} {'|value diff|':>12} {'max |grad diff|':>16}")
    for name, f in expressions.items():
        ours, theirs = [Value(v) for v in leaves], [t(v) for v in leaves]
        out, ref = f(*ours), f(*theirs)
        out.backward()
        ref.backward()
        grad_diff = max(abs(o.grad - (0.0 if r.grad is None else r.grad.item())) for o, r in zip(ours, theirs))
        print(f"{name:34} {abs(out.data - ref.item()):12.1e} {grad_diff:16.1e}")
    X, y, params = example_batch()
    J, grads = mlp_cost_and_grads(X, y, params)
    J_t, grads_t = torch_cost_and_grads(X, y, params)
    errors = dict(gradient_check(X, y, params))
    print(f"\nMLP 3-5-4-3, N = 4    |J diff| {abs(J - J_t):.1e}")
    print(f"{'backprop':10} {'vs autograd (max |diff|)':>26} {'vs finite diff (rel. error)':>29}")
    for l, ((dW, db), (dW_t, db_t)) in enumerate(zip(grads, grads_t), start=1):
        print(f"{'dW' + str(l):10} {np.abs(dW - dW_t).max():26.1e} {errors[f'dW{l}']:29.1e}")
        print(f"{'db' + str(l):10} {np.abs(db - db_t).max():26.1e} {errors[f'db{l}']:29.1e}")
    Z = np.array([[1e4, -1e4, 0.0], [0.0, 1e4, -1e4]])  # extreme logits: finite and equal to PyTorch
    J_big = softmax_cross_entropy(Z, np.array([1, 1]))[0]
    J_big_t = F.cross_entropy(torch.from_numpy(Z), torch.tensor([1, 1])).item()
    print(f"\nlogits of ±1e4: J = {J_big:.1f}, F.cross_entropy = {J_big_t:.1f}")
    hs = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10)
    print("\ncentral differences, relative error by step h, f(x) = sum(tanh(x)^2)")
    print("h        " + " ".join(f"{h:8.0e}" for h in hs))
    for dtype in (np.float64, np.float32):
        print(f"{dtype.__name__:8} " + " ".join(f"{e:8.0e}" for e in step_size_sweep(dtype, hs)))


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--batch" in sys.argv[1:]:
        # --8<-- [start:demo_batch]
        ways, (a, y, w, b) = batch_mean_example()
        for name, value in ways.items():
            print(f"{name:24} {value:+.4f}")
        w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        J = (0.5 * (w_t * torch.from_numpy(a) + b - torch.from_numpy(y)) ** 2).mean()
        J.backward()
        print(f"{'torch.autograd dJ/dw':24} {w_t.grad.item():+.4f}")
        # --8<-- [end:demo_batch]
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        x, a, b = OverwritingValue(3.0), OverwritingValue(2.0), OverwritingValue(-3.0)
        (x * x).backward()
        (a * b + a).backward()
        print(f"1. grad = instead of +=: d(x*x)/dx at x = 3 is {x.grad} (right: 6.0), "
              f"d(a*b + a)/da at a = 2, b = -3 is {a.grad} (right: -2.0)")
        w = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
        for _ in range(2):                                   # two steps, no w.grad.zero_() between them
            (w * w).backward()
        print(f"2. PyTorch, two backward() calls, no zero_grad: w.grad = {w.grad.item()} (right: 6.0)")
        loss = w.exp()
        loss.backward()
        print("3. backward() twice on one graph:", torch_error(loss.backward))
        Z = torch.zeros(2, 3, requires_grad=True)
        per_example = F.cross_entropy(Z, torch.tensor([0, 1]), reduction="none")   # shape (2,), not a scalar
        print("4. backward() on a vector of losses:", torch_error(per_example.backward))
        e = w.exp()                                          # exp keeps its output for the backward pass ...
        e.add_(1.0)                                          # ... which this in-place add overwrites
        print("5. in-place change of a saved tensor:", torch_error(e.backward))
        print("6. graph cut by .item():", torch_error(torch.tensor(w.item() * 2.0).backward))
        leaf, last = deep_chain(5000)
        try:
            recursive_order(last)
        except RecursionError as error:
            print(f"7. 5000-node chain, recursive topological sort: RecursionError ({error})")
        last.backward()
        print(f"   the same chain, iterative sort: dx = {leaf.grad:.3e}")
        print(f"8. gradient check across a ReLU kink (|Z| < h): relative error of dW1 = {kink_example():.1e}")
        # --8<-- [end:demo_pitfalls]
    else:
        # --8<-- [start:demo_engine]
        a, b = Value(2.0), Value(-3.0)
        z = a * b + a                                    # a reaches z along two paths, eq. (3)
        z.backward()
        print(f"z = a*b + a = {z.data}, dz/da = {a.grad} (= b + 1), dz/db = {b.grad} (= a)")
        x = Value(3.0)
        y = x * x
        y.backward()
        print(f"y = x*x = {y.data}, dy/dx = {x.grad} (= 2x)")
        print("graph of z, parents first:", [node.op for node in z.topological_order()])
        # --8<-- [end:demo_engine]
        # --8<-- [start:demo_mlp]
        X, y, params = example_batch()
        J, grads = mlp_cost_and_grads(X, y, params)
        print(f"J = {J:.6f}")
        for l, ((W, b), (dW, db)) in enumerate(zip(params, grads), start=1):   # a grad has its parameter's shape
            print(f"layer {l}: W{l} {W.shape}, dW{l} {dW.shape}, db{l} {db.shape}, dW{l}[0] = {dW[0].round(5)}")
        # --8<-- [end:demo_mlp]
        print()
        # --8<-- [start:demo_torch]
        a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
        z = a * b + a
        z.backward()                                     # reverse mode, like Value.backward()
        print(f"z = a*b + a = {z.item()}, dz/da = {a.grad.item()}, dz/db = {b.grad.item()}")
        X, y, params = example_batch()
        J, grads = torch_cost_and_grads(X, y, params)
        print(f"J = {J:.6f}")
        for l, (dW, db) in enumerate(grads, start=1):
            print(f"layer {l}: weight.grad {tuple(dW.shape)}, bias.grad {tuple(db.shape)}, "
                  f"weight.grad[0] = {dW[0].round(5)}")
        # --8<-- [end:demo_torch]
