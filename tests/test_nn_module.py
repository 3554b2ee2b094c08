"""nn.module: structure, labels, seeds, forward values and gradients against independent truths."""

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn.module
from autograd import Value
from nn import MLP, Layer, Neuron
from nn.module import count_parameters


def set_weights(neuron, w, b):
    for p, v in zip(neuron.w, w, strict=True):
        p.data = v
    neuron.b.data = b


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


# ----- structure -----

def test_micrograd_default_architecture_and_parameter_count():
    model = MLP(2, [16, 16, 1], seed=0)
    assert [len(layer.neurons) for layer in model.layers] == [16, 16, 1]
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert (model.nin, model.nouts) == (2, [16, 16, 1])
    assert (model.activation, model.output_activation) == ("relu", "linear")
    assert len(model.parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1


def test_parameter_names_are_one_based_in_stable_order_and_match_labels():
    model = MLP(2, [3, 1], seed=0)
    names = list(model.named_parameters())
    assert names[:4] == ["layer1.neuron1.w1", "layer1.neuron1.w2", "layer1.neuron1.b",
                         "layer1.neuron2.w1"]
    assert names[-1] == "layer2.neuron1.b"
    assert len(names) == 3 * 3 + 4
    assert names == list(model.named_parameters())
    for name, p in model.named_parameters().items():
        assert p.label == name
    assert model.parameters() == list(model.named_parameters().values())
    assert model.layers[0].neurons[2].w[1].label == "layer1.neuron3.w2"
    assert model.layers[0].neurons[2].b.label == "layer1.neuron3.b"


def test_call_returns_value_for_one_output_and_list_otherwise():
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [4, 3], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 2, seed=0)([1.0, 2.0])) == 2
    # A one-neuron hidden layer still feeds the next layer a list.
    assert isinstance(MLP(2, [1, 1], seed=0)([1.0, 2.0]), Value)


def test_accepts_values_and_numbers_as_inputs():
    model = MLP(2, [3, 1], seed=1)
    x = [Value(0.5), Value(-1.5)]
    assert model(x).data == model([0.5, -1.5]).data == model([0.5, -1.5]).data
    model(x).backward()
    assert any(v.grad != 0.0 for v in x)


def test_neuron_adds_only_the_dot_the_bias_sum_and_the_activation():
    neuron = Neuron(2, activation="tanh", seed=0)
    a = neuron([1.0, 2.0])
    z = a.parents[0]
    assert a.op == "tanh" and z.op == "+" and z.parents[1] is neuron.b
    w_dot_x = z.parents[0]
    assert w_dot_x.op == "dot"
    assert w_dot_x.parents[:2] == tuple(neuron.w)
    assert [p.data for p in w_dot_x.parents[2:]] == [1.0, 2.0]
    assert all(not p.parents for p in w_dot_x.parents[2:])


def test_a_layer_lifts_plain_inputs_once_for_all_its_neurons():
    layer = Layer(2, 3, seed=0)
    outs = layer([1.0, 2.0])
    inputs = [out.parents[0].parents[0].parents[2:] for out in outs]  # relu ← + ← dot
    assert inputs[0] == inputs[1] == inputs[2]
    assert [v.data for v in inputs[0]] == [1.0, 2.0]


# ----- seeds -----

def test_same_seed_same_weights_other_seed_other_weights_global_state_untouched():
    state = random.getstate()
    a = [p.data for p in MLP(2, [4, 1], seed=7).parameters()]
    b = [p.data for p in MLP(2, [4, 1], seed=7).parameters()]
    c = [p.data for p in MLP(2, [4, 1], seed=8).parameters()]
    assert random.getstate() == state
    assert a == b and a != c
    weights = [p.data for name, p in MLP(3, [5, 1], seed=0).named_parameters().items()
               if not name.endswith(".b")]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert all(p.data == 0.0 for name, p in MLP(3, [5, 1], seed=0).named_parameters().items()
               if name.endswith(".b"))


def test_bad_seed_is_a_type_error():
    with pytest.raises(TypeError, match="seed"):
        MLP(2, [1], seed="zero")


# ----- errors -----

def test_unknown_activation_lists_the_valid_ones():
    for make in (lambda: Neuron(2, activation="gelu"), lambda: Layer(2, 2, activation="gelu"),
                 lambda: MLP(2, [1], activation="gelu"),
                 lambda: MLP(2, [1], output_activation="softmax")):
        with pytest.raises(ValueError, match="relu.*tanh.*sigmoid.*linear"):
            make()


def test_wrong_input_length_states_expected_and_actual():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [4, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expected 3 inputs, got 1"):
        Neuron(3, seed=0)([1.0])
    with pytest.raises(ValueError, match="expected 2 inputs, got 1"):
        MLP(2, [1], seed=0).predict([[1.0]])


@pytest.mark.parametrize("nin, nouts", [(0, [1]), (-1, [1]), (2.0, [1]), (True, [1]),
                                        (2, []), (2, [0]), (2, [3, -1]), (2, 3), (2, "16"),
                                        (2, {3: 1}), (2, {3, 1})])
def test_bad_sizes(nin, nouts):
    with pytest.raises(ValueError):
        MLP(nin, nouts)


def test_numpy_sizes_and_seeds_work():
    np = pytest.importorskip("numpy")
    model = MLP(np.int64(2), np.array([3, 1]), seed=np.int64(0))
    assert model.nin == 2 and model.nouts == [3, 1] and type(model.nouts[0]) is int
    assert [p.data for p in model.parameters()] == \
        [p.data for p in MLP(2, [3, 1], seed=0).parameters()]


def test_a_value_or_a_generator_as_input_is_a_clear_type_error():
    model = MLP(2, [1], seed=0)
    for what, call in (("MLP", model), ("Layer", model.layers[0]),
                       ("Neuron", model.layers[0].neurons[0])):
        with pytest.raises(TypeError, match=f"{what}: expected a list of 2 inputs .*got Value"):
            call(Value(1.0))
        with pytest.raises(TypeError, match=f"{what}: expected a list .*got generator"):
            call(v for v in [1.0, 2.0])
    with pytest.raises(TypeError, match="MLP.predict: row 0: expected a list .*got str"):
        model.predict(["ab"])


@pytest.mark.parametrize("x, kind", [({1: 2, 3: 4}, "dict"), ({1.0, 2.0}, "set"),
                                     (frozenset({1.0, 2.0}), "frozenset")])
def test_a_mapping_or_a_set_as_input_is_refused(x, kind):
    # A dict's keys are no inputs, and a set has no order: both computed silently before.
    model = MLP(2, [3, 1], seed=0)
    for what, call in (("MLP", model), ("Layer", model.layers[0]),
                       ("Neuron", model.layers[0].neurons[0])):
        with pytest.raises(TypeError, match=f"{what}: expected a list of 2 inputs .*got {kind}"):
            call(x)
    with pytest.raises(TypeError, match=f"MLP.predict: row 0: expected .*got {kind}"):
        model.predict([x])
    with pytest.raises(TypeError, match=f"MLP.predict: expected a list of rows, got {kind}"):
        model.predict({(1.0, 2.0): 0} if kind == "dict" else type(x)({(1.0, 2.0)}))


@pytest.mark.parametrize("bad, error", [("1", TypeError), (True, TypeError), (None, TypeError),
                                        (10**400, ValueError)])
def test_predict_refuses_what_the_model_refuses_naming_the_row(bad, error):
    model = MLP(2, [1], seed=0)
    with pytest.raises(error):
        model([0.5, bad])
    with pytest.raises(error, match=r"MLP\.predict: row 1: "):
        model.predict([[0.5, 0.5], [0.5, bad]])


def test_predict_takes_values_like_the_model():
    model = MLP(2, [3, 1], seed=0)
    assert model.predict([[Value(0.5), -1.0]]) == [model([Value(0.5), -1.0]).data]


def test_parameter_count_is_checked_before_building(monkeypatch):
    for nin, nouts in ((2, [16, 16, 1]), (3, [1]), (5, [4, 3, 2])):
        assert count_parameters(nin, nouts) == len(MLP(nin, nouts, seed=0).parameters())
    with pytest.raises(ValueError, match=r"would have 199,999,999,998 parameters, "
                                         r"more than MAX_PARAMETERS = 1,000,000"):
        MLP(1, [99_999_999_999])  # would need terabytes; refused at once
    monkeypatch.setattr(nn.module, "MAX_PARAMETERS", 13)
    assert len(MLP(2, [3, 1], seed=0).parameters()) == 13
    with pytest.raises(ValueError, match=r"MLP\(2, \[3, 2\]\) would have 17 parameters, "
                                         r"more than MAX_PARAMETERS = 13"):
        MLP(2, [3, 2], seed=0)


# ----- values and gradients -----

@pytest.mark.parametrize("activation, g, dg", [
    ("relu", lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    ("tanh", math.tanh, lambda z: 1.0 - math.tanh(z) ** 2),
    ("sigmoid", sigmoid, lambda z: sigmoid(z) * (1.0 - sigmoid(z))),
    ("linear", lambda z: z, lambda z: 1.0),
])
@pytest.mark.parametrize("x, z", [
    ([1.5, 0.5, -0.75], 0.5 * 1.5 - 1.25 * 0.5 - 2.0 * 0.75 + 0.25),   # Z = -1.125
    ([1.5, -0.5, 0.75], 0.5 * 1.5 + 1.25 * 0.5 + 2.0 * 0.75 + 0.25),   # Z = 3.125 (relu active)
])
def test_neuron_value_and_gradient_closed_form(activation, g, dg, x, z):
    neuron = Neuron(3, activation=activation, seed=0)
    w, b = [0.5, -1.25, 2.0], 0.25
    set_weights(neuron, w, b)
    out = neuron(x)
    assert out.data == pytest.approx(g(z), rel=1e-15, abs=1e-15)
    out.backward()
    # da/dw_i = g'(Z)·x_i, da/db = g'(Z)
    assert [p.grad for p in neuron.w] == pytest.approx([dg(z) * xi for xi in x], rel=1e-14)
    assert neuron.b.grad == pytest.approx(dg(z), rel=1e-14)


def test_mlp_gradient_matches_central_differences():
    model = MLP(3, [4, 3, 1], activation="tanh", output_activation="sigmoid", seed=3)
    x = [0.3, -0.8, 1.1]
    model(x).backward()
    h = 1e-6
    for name, p in model.named_parameters().items():
        analytic, original = p.grad, p.data
        p.data = original + h
        up = model.predict([x])[0]
        p.data = original - h
        down = model.predict([x])[0]
        p.data = original
        numeric = (up - down) / (2 * h)
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-9), name


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@settings(max_examples=60)
@given(st.lists(st.floats(-10, 10), min_size=2, max_size=2),
       st.sampled_from(["relu", "tanh", "sigmoid", "linear"]),
       st.sampled_from(["linear", "sigmoid", "tanh"]))
def test_predict_equals_the_graph_forward_exactly(x, activation, output_activation):
    model = MLP(2, [5, 4, 1], activation=activation, output_activation=output_activation,
                seed=1)
    assert model.predict([x]) == [model(x).data]


def test_outputs_gives_lists_for_several_outputs():
    model = MLP(2, [3, 2], seed=0)
    assert model.outputs([[1.0, 2.0]]) == [[v.data for v in model([1.0, 2.0])]]


@settings(max_examples=50)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=2), st.integers(2, 6))
def test_predict_of_k_outputs_is_the_argmax_class(x, k):
    model = MLP(2, [4, k], seed=k)
    z = [v.data for v in model(x)]
    (c,) = model.predict([x])
    assert isinstance(c, int) and z[c] == max(z) and c == z.index(max(z))


def test_predict_of_one_output_is_the_output():
    model = MLP(2, [3, 1], seed=0)
    assert model.predict([[1.0, 2.0]]) == model.outputs([[1.0, 2.0]]) == [model([1.0, 2.0]).data]


def test_same_numbers_as_micrograd_with_the_same_weights():
    mg = pytest.importorskip("micrograd.nn", reason="micrograd (dev extra) is not installed")
    ours = MLP(2, [16, 16, 1], seed=0)
    theirs = mg.MLP(2, [16, 16, 1])
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        q.data = p.data
    x = [0.7, -1.3]
    a, b = ours(x), theirs(x)
    assert a.data == pytest.approx(b.data, rel=1e-12)
    a.backward()
    b.backward()
    assert [p.grad for p in ours.parameters()] == pytest.approx(
        [q.grad for q in theirs.parameters()], rel=1e-12, abs=1e-15)


def test_to_torch_delegates_to_the_bridge():
    pytest.importorskip("torch", reason="PyTorch is not installed")
    torch_bridge = pytest.importorskip("nn.torch_bridge")
    import torch

    model = MLP(2, [4, 1], activation="tanh", seed=0)
    net = model.to_torch()
    assert type(net) is type(torch_bridge.to_torch(model))
    out = net(torch.tensor([[0.5, -0.25]], dtype=torch.float64))
    assert out.item() == pytest.approx(model([0.5, -0.25]).data, rel=1e-12)


def test_each_public_entry_point_checks_its_own_input_and_names_itself():
    model = MLP(2, [3, 1], seed=0)
    layer, neuron = model.layers[1], model.layers[1].neurons[0]
    for what, call in (("MLP", model), ("Layer", layer), ("Layer", layer.forward),
                       ("Neuron", neuron)):
        expected = 2 if what == "MLP" else 3
        with pytest.raises(ValueError, match=f"^{what}: expected {expected} inputs, got 1$"):
            call([1.0])


def test_mlp_output_is_its_neurons_composed_by_hand():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    x = [0.5, -1.5]
    hidden = [n(x).data for n in model.layers[0].neurons]
    out = model.layers[1].neurons[0](hidden).data
    assert model(x).data == out


@pytest.mark.parametrize("make, match", [
    (lambda: Neuron(10**9), r"Neuron\(1000000000\) would have 1,000,000,001 parameters"),
    (lambda: Layer(10**4, 10**4), r"Layer\(10000, 10000\) would have 100,010,000 parameters"),
    (lambda: MLP(2, [2000, 2000]), r"MLP\(2, \[2000, 2000\]\) would have 4,008,000"),
    (lambda: MLP(2, [1] * 10**6), r"more than 500,000 layers"),
    (lambda: MLP(2, itertools.repeat(1)), r"more than 500,000 layers"),
])
def test_too_large_networks_are_refused_before_allocating(make, match):
    with pytest.raises(ValueError, match=match) as failure:
        make()
    assert len(str(failure.value)) < 300  # the message names the size, not every layer


@pytest.mark.parametrize("nin", [1, 4, 64])
def test_fan_in_init_keeps_weights_within_one_over_root_nin(nin):
    model = MLP(nin, [8, 3], seed=0, init="fan_in")
    for layer in model.layers:
        n_inputs = len(layer.neurons[0].w)
        weights = [w.data for n in layer.neurons for w in n.w]
        assert max(map(abs, weights)) <= 1 / math.sqrt(n_inputs)
        assert max(map(abs, weights)) > 0.5 / math.sqrt(n_inputs)  # spread over the range
        assert all(n.b.data == 0.0 for n in layer.neurons)
    uniform = MLP(nin, [8, 3], seed=0)  # the same draws, scaled
    for a, b in zip(model.parameters(), uniform.parameters()):
        n_inputs = nin if a.label.startswith("layer1.") else 8
        assert a.data == pytest.approx(b.data / math.sqrt(n_inputs), rel=1e-15)


def test_unknown_init_is_refused():
    with pytest.raises(ValueError, match="MLP: unknown init 'he'; choose one of 'uniform', "
                                         "'fan_in'"):
        MLP(2, [1], init="he")
