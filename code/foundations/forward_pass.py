"""The neuron and the forward pass: one neuron, a dense layer, a multilayer perceptron (MLP).

Page: docs/foundations/forward-pass.md (topic 4). A neuron computes z = w·x + b, then a = g(z)
(McCulloch & Pitts 1943; Rosenblatt 1958). A layer of m neurons is one matrix multiply, and a batch of
N examples is Z = X Wᵀ + b: exactly what torch.nn.Linear computes. Stacked with a nonlinear g, hidden
layers learn their own features (Rumelhart, Hinton & Williams 1986, "Learning representations by
back-propagating errors"); without g, any stack of layers collapses to one linear layer.

    python code/foundations/forward_pass.py                    a worked example, every shape printed
    python code/foundations/forward_pass.py --check            agreement with PyTorch (float64)
    python code/foundations/forward_pass.py --pitfalls         the classic mistakes and their symptoms
    python code/foundations/forward_pass.py --params 784 128 10   parameters of an MLP of those sizes
"""
# --8<-- [start:imports]
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:imports]
# --8<-- [start:shapes]


def check_shape(name, a, dims, **known):
    """Raise ValueError unless `a` has one axis per symbol in `dims`, with the sizes in `known`."""
    shape = np.shape(a)
    if len(shape) != len(dims) or any(known.get(s, n) != n for s, n in zip(dims, shape)):
        sizes = ", ".join(f"{s} = {v}" for s, v in known.items())
        raise ValueError(f"{name} must have shape ({', '.join(dims)})"
                         f"{' with ' + sizes if sizes else ''}, got {shape}")
    return shape
# --8<-- [end:shapes]
# --8<-- [start:activations]


def identity(z):
    return z


def relu(z):
    """ReLU, the default hidden activation: max(0, z), elementwise."""
    return np.maximum(z, 0.0)
# --8<-- [end:activations]
# --8<-- [start:neuron]


def neuron(x, w, b, g=relu):
    """One neuron: z = w·x + b, eq. (1), then a = g(z), eq. (2). x, w: (d,), b: a scalar."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    (d,) = check_shape("w", w, ("d",))
    check_shape("x", x, ("d",), d=d)
    if np.ndim(b) != 0:
        raise ValueError(f"b must be a scalar (one bias per neuron), got shape {np.shape(b)}")
    z = w @ x + b                      # sum_k w_k x_k + b: a scalar
    return g(z)
# --8<-- [end:neuron]
# --8<-- [start:dense]


def dense(X, W, b):
    """A layer of m neurons on a batch: Z = X Wᵀ + b, eq. (5). X: (N, d), W: (m, d), b: (m,)."""
    X, W, b = (np.asarray(t, dtype=float) for t in (X, W, b))
    m, d = check_shape("W", W, ("m", "d"))         # row j of W = the weights of neuron j
    check_shape("X", X, ("N", "d"), d=d)
    check_shape("b", b, ("m",), m=m)               # not (m, 1): see Pitfalls
    return X @ W.T + b                             # (N, d) @ (d, m) -> (N, m); b broadcast over rows
# --8<-- [end:dense]
# --8<-- [start:dense_loop]


def dense_loop(X, W, b):
    """The same layer, one example n and one neuron j at a time: Z[n, j] = w_j·x_n + b_j, eq. (3)."""
    N, m = len(X), len(W)
    Z = np.empty((N, m))                           # (N, m)
    for n in range(N):                             # every example ...
        for j in range(m):                         # ... goes to every neuron, each with its own row
            Z[n, j] = neuron(X[n], W[j], b[j], g=identity)
    return Z
# --8<-- [end:dense_loop]
# --8<-- [start:mlp]


def mlp_forward(X, params, g=relu, g_out=identity, return_all=False):
    """Forward pass, eqs. (6)-(7): A⁰ = X, Zˡ = Aˡ⁻¹ Wˡᵀ + bˡ, Aˡ = g(Zˡ); g_out on the last layer.

    params: [(W¹, b¹), ..., (Wᴸ, bᴸ)] with Wˡ: (m_l, m_{l-1}), bˡ: (m_l,). Returns Aᴸ: (N, m_L),
    or with return_all the list [(None, A⁰), (Z¹, A¹), ..., (Zᴸ, Aᴸ)].
    """
    if len(params) == 0:
        raise ValueError("params must hold at least one (W, b) pair, one per layer")
    A = np.asarray(X, dtype=float)                 # A⁰ = X: (N, d)
    layers = [(None, A)]
    for l, (W, b) in enumerate(params, start=1):
        try:
            Z = dense(A, W, b)                     # (N, m_l)
        except ValueError as err:                  # say which layer, and that X is its input Aˡ⁻¹
            raise ValueError(f"layer {l} (input A^{l - 1}): {err}") from None
        A = g_out(Z) if l == len(params) else g(Z) # hidden: g; output: chosen by the task
        layers.append((Z, A))
    return layers if return_all else A
# --8<-- [end:mlp]
# --8<-- [start:params]


def n_params_layer(d, m):
    """A dense layer from d inputs to m neurons: m·d weights + m biases, eq. (9)."""
    return m * d + m


def n_params(sizes):
    """An MLP with layer sizes [d, m_1, ..., m_L]: the sum over its layers, eq. (10)."""
    return sum(n_params_layer(d, m) for d, m in zip(sizes[:-1], sizes[1:]))
# --8<-- [end:params]
# --8<-- [start:collapse]


def collapse(W1, b1, W2, b2):
    """Two linear layers with no activation between them are one: W = W2 W1, b = W2 b1 + b2, eq. (8)."""
    return W2 @ W1, W2 @ b1 + b2                   # (m2, d), (m2,)
# --8<-- [end:collapse]
# --8<-- [start:heads]


def sigmoid(z):
    """1 / (1 + e^-z) without overflow: exp only ever sees -|z| (finite for logits of ±1e4)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))                         # in (0, 1]
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(Z):
    """Softmax over the last axis; subtracting the row max changes nothing but keeps exp <= 1."""
    E = np.exp(Z - np.max(Z, axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


OUTPUT_ACTIVATION = {"regression": identity, "binary": sigmoid,
                     "multiclass": softmax, "multilabel": sigmoid}


def output_head(Z, task):
    """Turn the last layer's Z (N, k) into predictions for the task (Table 1 on the page)."""
    if task not in OUTPUT_ACTIVATION:
        raise ValueError(f"task must be one of {sorted(OUTPUT_ACTIVATION)}, got {task!r}")
    if task == "binary":
        check_shape("Z", Z, ("N", "k"), k=1)       # one logit: P(class 1); P(class 0) = 1 - it
    return OUTPUT_ACTIVATION[task](np.asarray(Z, dtype=float))
# --8<-- [end:heads]
# --8<-- [start:init]


def init_params(sizes, seed=0):
    """Random (W, b) per layer, uniform in ±1/sqrt(d) like nn.Linear's default (a later topic)."""
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (m, d)) / np.sqrt(d), rng.uniform(-1, 1, m) / np.sqrt(d))
            for d, m in zip(sizes[:-1], sizes[1:])]
# --8<-- [end:init]
# --8<-- [start:backward]


def dense_backward(dZ, X, W):
    """Gradients of Z = X Wᵀ + b from dZ = ∂J/∂Z (N, m), eqs. (11)-(13): dZ W, dZᵀ X, Σ_n dZ."""
    check_shape("dZ", dZ, ("N", "m"), N=len(X), m=len(W))
    return dZ @ W, dZ.T @ X, dZ.sum(axis=0)        # (N, d), (m, d), (m,)
# --8<-- [end:backward]
# --8<-- [start:torch]


def to_torch(params, g=nn.ReLU):
    """The same MLP as nn.Sequential(Linear, g, ..., Linear): .weight is Wˡ (m_l, m_{l-1}), .bias is bˡ."""
    layers = []
    for l, (W, b) in enumerate(params, start=1):
        m, d = np.shape(W)
        linear = nn.Linear(d, m, dtype=torch.float64)  # in_features = d, out_features = m
        with torch.no_grad():                          # in-place writes into parameters need no_grad
            linear.weight.copy_(torch.as_tensor(W))    # (out_features, in_features) = (m, d): no .T
            linear.bias.copy_(torch.as_tensor(b))
        layers += [linear, g()] if l < len(params) else [linear]
    return nn.Sequential(*layers)
# --8<-- [end:torch]
# --8<-- [start:example]


def example_network():
    """The worked example: a batch of N = 2 examples with d = 3 inputs, 2 hidden ReLU neurons, 1 output."""
    X = np.array([[1.0, 2.0, -1.0],                   # example 1: (x1, x2, x3)
                  [0.0, -1.0, 3.0]])                  # example 2            X: (2, 3)
    W1 = np.array([[0.5, -1.0, 2.0],                  # hidden neuron 1's weights
                   [1.0, 0.5, -0.5]])                 # hidden neuron 2's   W1: (2, 3)
    b1 = np.array([1.0, -0.5])                        # b1: (2,)
    W2 = np.array([[1.0, -1.0]])                      # the output neuron   W2: (1, 2)
    b2 = np.array([0.5])                              # b2: (1,)
    return X, [(W1, b1), (W2, b2)]


# --8<-- [end:example]
# --8<-- [start:worked]


def worked_example():
    """Print every matrix of the forward pass of example_network() with its shape."""
    X, params = example_network()
    show = lambda name, a: print(f"{name}   shape {a.shape}\n{np.array2string(a, precision=3)}\n")
    show("A0 = X (one example per row)", X)
    for l, ((W, b), (Z, A)) in enumerate(zip(params, mlp_forward(X, params, return_all=True)[1:]), 1):
        show(f"W{l} (one row per neuron)", W)
        show(f"b{l}", b)
        show(f"Z{l} = A{l - 1} W{l}^T + b{l}", Z)
        show(f"A{l} = {'relu' if l < len(params) else 'identity'}(Z{l})", A)
# --8<-- [end:worked]
# --8<-- [start:torch_way]


def torch_way():
    """The worked example in PyTorch: F.linear(X, W, b) is X @ W.T + b; nn.Linear stores W and b."""
    X, params = example_network()
    X = torch.as_tensor(X)                               # float64, like the NumPy arrays
    W1, b1 = (torch.as_tensor(t) for t in params[0])
    assert torch.allclose(F.linear(X, W1, b1), X @ W1.T + b1)  # the batch form, eq. (5)
    model = to_torch(params)                             # Linear(3, 2), ReLU(), Linear(2, 1)
    print(model)
    print("weight", tuple(model[0].weight.shape), "bias", tuple(model[0].bias.shape))
    print("nn.Sequential output", model(X).detach().numpy().ravel())  # (N, 1): two predictions
# --8<-- [end:torch_way]
# --8<-- [start:pitfalls]


def pitfall_transposed_weight(seed=0):
    """X @ W instead of X @ W.T: an error when m != d, but a silently wrong Z when W is square."""
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), np.zeros(3)
    return np.abs((X @ W + b) - dense(X, W, b)).max()   # far from 0, and nothing complained


def pitfall_column_bias():
    """A column bias (m, 1), copied from the column-vector form z = Wx + b, broadcasts to (N, m) x (m, 1)."""
    X, W = np.ones((1, 3)), np.ones((2, 3))            # N = 1 example, m = 2 neurons
    return (X @ W.T + np.zeros((2, 1))).shape           # (2, 2) instead of (1, 2), no error


def pitfall_dtype():
    """NumPy arrays are float64; nn.Linear's weights are float32 unless told otherwise."""
    try:
        nn.Linear(3, 2)(torch.from_numpy(np.ones((4, 3))))
    except RuntimeError as err:
        return str(err)


def pitfall_softmax_multilabel():
    """Two labels both present: softmax makes them share one unit of probability; sigmoid does not."""
    Z = np.array([[6.0, 6.0, -6.0]])                   # logits: labels 1 and 2 present, 3 absent
    return softmax(Z), sigmoid(Z)


def pitfall_no_activation():
    """The best linear (or stacked linear) model of XOR, by least squares: 0.5 for every input."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    X1 = np.hstack([X, np.ones((4, 1))])                # a column of ones carries the bias
    return X1 @ np.linalg.lstsq(X1, y, rcond=None)[0]
# --8<-- [end:pitfalls]
# --8<-- [start:exercise_params]


def count_both(sizes):
    """Eq. (10) by formula, and PyTorch's own count for the same layer sizes."""
    model = nn.Sequential(*[nn.Linear(d, m) for d, m in zip(sizes[:-1], sizes[1:])])
    return n_params(sizes), sum(p.numel() for p in model.parameters())
# --8<-- [end:exercise_params]
# --8<-- [start:exercise_bias]


def dense_bias_trick(X, W, b):
    """Z = X̃ W̃ᵀ, X̃ = [X | 1] (N, d+1), W̃ = [W | b] (m, d+1): b is the weight of a constant input 1."""
    X_t = np.hstack([X, np.ones((len(X), 1))])          # (N, d + 1)
    W_t = np.hstack([W, np.reshape(b, (-1, 1))])        # (m, d + 1)
    return X_t @ W_t.T                                  # (N, m)
# --8<-- [end:exercise_bias]
# --8<-- [start:exercise_xor]


def xor_params():
    """A 2-2-1 ReLU network that computes XOR exactly: y = relu(x1 + x2) - 2 relu(x1 + x2 - 1)."""
    W1, b1 = np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0])  # two hidden neurons
    W2, b2 = np.array([[1.0, -2.0]]), np.array([0.0])                    # one linear output
    return [(W1, b1), (W2, b2)]
# --8<-- [end:exercise_xor]


def plot_relu_features():
    """Left: what one ReLU neuron computes over the plane. Right: three of them make a triangle."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    g = np.linspace(-2, 2, 33)
    x1, x2 = np.meshgrid(g, g)
    P = np.column_stack([x1.ravel(), x2.ravel()])     # (1089, 2): each grid point is one example
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7, 3), sharey=True)
    w, b = np.array([1.0, 0.5]), -0.5
    a = relu(dense(P, w[None], [b])).reshape(x1.shape)
    ax0.contourf(x1, x2, a, levels=8, cmap="viridis")
    ax0.plot(g, (-b - w[0] * g) / w[1], "w--")          # the line w·x + b = 0
    ax0.annotate("", xy=w, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "w"})
    ax0.text(*(w + 0.1), "w", color="w")                # w points to where z grows
    ax0.set(title="one neuron: relu(w·x + b)", xlim=(-2, 2), ylim=(-2, 2), xlabel="$x_1$", ylabel="$x_2$")
    angles = np.deg2rad([90, 210, 330])
    W1 = np.column_stack([np.cos(angles), np.sin(angles)])   # (3, 2): three hidden neurons
    params = [(W1, -0.5 * np.ones(3)), (-4 * np.ones((1, 3)), np.ones(1))]
    y = mlp_forward(P, params).reshape(x1.shape)
    ax1.contourf(x1, x2, y, levels=np.linspace(y.min(), 1, 9), cmap="viridis")
    ax1.contour(x1, x2, y, levels=[0], colors="k")
    for n in W1:                                         # hidden neuron j is 0 until n_j·x = 0.5
        ax1.plot(*(0.5 * n[:, None] + np.outer([-n[1], n[0]], [-3, 3])), "w--", lw=1)
    ax1.set(title="3 hidden ReLUs, 1 output", xlim=(-2, 2), ylim=(-2, 2), xlabel="$x_1$")
    fig.tight_layout()
    return fig


def check():
    """Max |from scratch - PyTorch| in float64, values and gradients."""
    rng = np.random.default_rng(0)
    X, dZ = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))     # (N, d), (N, m)
    params = init_params([3, 4, 2], seed=1)
    W, b = params[0]
    Xt = torch.tensor(X, requires_grad=True)
    linear = to_torch([(W, b)])[0]                               # nn.Linear(3, 4), float64
    Zt = linear(Xt)
    (Zt * torch.as_tensor(dZ)).sum().backward()                  # so that ∂J/∂Z = dZ
    dX, dW, db = dense_backward(dZ, X, W)
    diff = lambda a, t: np.abs(np.asarray(a) - t.detach().numpy()).max()
    a = [neuron(X[0], W[j], b[j]) for j in range(len(W))]
    rows = [("neuron vs relu(F.linear)", diff(a, torch.relu(F.linear(Xt[0], linear.weight, linear.bias)))),
            ("dense vs nn.Linear", diff(dense(X, W, b), Zt)),
            ("dense_backward dX vs autograd", diff(dX, Xt.grad)),
            ("dense_backward dW vs autograd", diff(dW, linear.weight.grad)),
            ("dense_backward db vs autograd", diff(db, linear.bias.grad)),
            ("mlp_forward vs nn.Sequential", diff(mlp_forward(X, params), to_torch(params)(Xt)))]
    (W1, b1), (W2, b2) = params
    two_linear = to_torch(params, g=nn.Identity)                 # Linear, Identity, Linear
    one_layer = dense(X, *collapse(W1, b1, W2, b2))
    rows.append(("collapse vs two stacked nn.Linear", diff(one_layer, two_linear(Xt))))
    Z = np.array([[-1e4, 0.0, 1e4], [3.0, -2.0, 0.5]])           # extreme logits too
    rows.append(("sigmoid vs torch.sigmoid", diff(sigmoid(Z), torch.sigmoid(torch.as_tensor(Z)))))
    rows.append(("softmax vs torch.softmax", diff(softmax(Z), torch.softmax(torch.as_tensor(Z), dim=-1))))
    print("max |from scratch - PyTorch|, float64")
    for name, value in rows:
        print(f"  {name:<36} {value:.1e}")
    for sizes in ([3, 2, 1], [784, 128, 64, 10], [10, 1]):
        print(f"  n_params{sizes} = {n_params(sizes)}, sum(p.numel()) = {count_both(sizes)[1]}")


def pitfalls():
    print("1. X @ W for a square W, max |difference| from X @ W.T:", f"{pitfall_transposed_weight():.2f}")
    print("2. column bias (m, 1) with N = 1: Z has shape", pitfall_column_bias(), "instead of (1, 2)")
    print("3. float64 input into a default nn.Linear:", pitfall_dtype())
    print("4. best linear model of XOR predicts", pitfall_no_activation().round(3), "for targets [0 1 1 0]")
    s, p = pitfall_softmax_multilabel()
    print("5. two labels present, softmax:", s.round(3), " sigmoid:", p.round(3))


def print_params(sizes):
    for l, (d, m) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        print(f"layer {l}: {d} -> {m}: m*d + m = {m}*{d} + {m} = {n_params_layer(d, m)}")
    ours, theirs = count_both(sizes)
    print(f"total n_params = {ours}; PyTorch sum(p.numel()) = {theirs}")


def print_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    (_, A0), (_, A1), (_, y) = mlp_forward(X, xor_params(), return_all=True)
    print("x1  x2 | h1  h2 | y = h1 - 2 h2")
    for x, h, out in zip(A0, A1, y):
        print(f"{x[0]:>2.0f}  {x[1]:>2.0f} | {h[0]:>2.0f}  {h[1]:>2.0f} | {out[0]:>2.0f}")


if __name__ == "__main__":
    import sys
    if "--check" in sys.argv:
        check()
    elif "--pitfalls" in sys.argv:
        pitfalls()
    elif "--xor" in sys.argv:
        print_xor()
    elif "--params" in sys.argv:
        print_params([int(s) for s in sys.argv[sys.argv.index("--params") + 1:]])
    else:
        # --8<-- [start:demo]


        worked_example()
        # --8<-- [end:demo]
        # --8<-- [start:demo_torch]


        torch_way()
        # --8<-- [end:demo_torch]
