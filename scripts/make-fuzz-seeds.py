#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora (tests/fuzz/corpus/TARGET/) from real files: the
chat templates of ../shared/chat-templates/cases.json, the sample apps, the Prompty
texts of the tests, the SentencePiece model of stories260K, the start of the real
GGUF files, and small synthetic GGUF files (metadata of every type, a vocabulary,
tensors of several types). Run from the project root: python3 scripts/make-fuzz-seeds.py
"""
import hashlib
import json
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("PROMPTSTUDIO_SHARED_DIR", os.path.join(ROOT, "..", "shared"))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, data, name=None):
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# ---- GGUF -----------------------------------------------------------------------------
def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_kv(key, vtype, payload):
    return gguf_string(key) + struct.pack("<I", vtype) + payload


def gguf_array(elem_type, items, pack):
    return struct.pack("<IQ", elem_type, len(items)) + b"".join(pack(i) for i in items)


def synthetic_gguf(tensors, vocab=True, align=32):
    kvs = [
        gguf_kv("general.architecture", 8, gguf_string("llama")),
        gguf_kv("general.name", 8, gguf_string("fuzz seed")),
        gguf_kv("general.alignment", 4, struct.pack("<I", align)),
        gguf_kv("llama.context_length", 4, struct.pack("<I", 64)),
        gguf_kv("llama.embedding_length", 4, struct.pack("<I", 32)),
        gguf_kv("llama.block_count", 4, struct.pack("<I", 1)),
        gguf_kv("llama.attention.head_count", 4, struct.pack("<I", 2)),
        gguf_kv("llama.rope.freq_base", 6, struct.pack("<f", 10000.0)),
        gguf_kv("x.u8", 0, struct.pack("<B", 7)), gguf_kv("x.i8", 1, struct.pack("<b", -7)),
        gguf_kv("x.u16", 2, struct.pack("<H", 7)), gguf_kv("x.i16", 3, struct.pack("<h", -7)),
        gguf_kv("x.i32", 5, struct.pack("<i", -7)), gguf_kv("x.bool", 7, struct.pack("<B", 1)),
        gguf_kv("x.u64", 10, struct.pack("<Q", 7)), gguf_kv("x.i64", 11, struct.pack("<q", -7)),
        gguf_kv("x.f64", 12, struct.pack("<d", 0.5)),
        gguf_kv("x.nested", 9, gguf_array(9, [[1, 2], [3]],
                                          lambda a: gguf_array(5, a, lambda v: struct.pack("<i", v)))),
    ]
    if vocab:
        pieces = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + \
                 ["\u2581", "\u2581a", "\u2581the", "e", "t", "h", "\u2581time", "on", "ce"]
        kvs += [
            gguf_kv("tokenizer.ggml.model", 8, gguf_string("llama")),
            gguf_kv("tokenizer.ggml.tokens", 9, gguf_array(8, pieces, gguf_string)),
            gguf_kv("tokenizer.ggml.scores", 9,
                    gguf_array(6, [-float(i) for i in range(len(pieces))], lambda v: struct.pack("<f", v))),
            gguf_kv("tokenizer.ggml.token_type", 9,
                    gguf_array(5, [2, 3, 3] + [6] * 256 + [1] * 9, lambda v: struct.pack("<i", v))),
            gguf_kv("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 1)),
            gguf_kv("tokenizer.ggml.eos_token_id", 4, struct.pack("<I", 2)),
            gguf_kv("tokenizer.ggml.unknown_token_id", 4, struct.pack("<I", 0)),
            gguf_kv("tokenizer.chat_template", 8, gguf_string(
                "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}")),
        ]
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs)
    table = b""
    data = b""
    for name, ggml_type, dims, raw in tensors:
        pad = (-len(data)) % align
        data += b"\0" * pad
        table += gguf_string(name) + struct.pack("<I", len(dims)) + \
            b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", ggml_type, len(data))
        data += raw
    body = header + table
    body += b"\0" * ((-len(body)) % align)
    return body + data


def bpe_vocab_gguf(pre):
    """A byte-level BPE ("gpt2") vocabulary: the 256 byte symbols, a few merges, specials."""
    def byte_symbol(b):
        if 33 <= b <= 126 or 161 <= b <= 172 or 174 <= b <= 255:
            return chr(b)
        shifted = [x for x in range(256) if not (33 <= x <= 126 or 161 <= x <= 172 or 174 <= x <= 255)]
        return chr(256 + shifted.index(b))
    tokens = [byte_symbol(b) for b in range(256)]
    merges = ["\u0120 t", "h e", "\u0120t he", "i n", "\u0120 a", "o n", "e r"]
    for m in merges:
        tokens.append(m.replace(" ", ""))
    tokens += ["<|begin_of_text|>", "<|end_of_text|>", "<|im_end|>"]
    types = [1] * (len(tokens) - 3) + [3, 3, 3]
    kvs = [
        gguf_kv("general.architecture", 8, gguf_string("llama")),
        gguf_kv("tokenizer.ggml.model", 8, gguf_string("gpt2")),
        gguf_kv("tokenizer.ggml.pre", 8, gguf_string(pre)),
        gguf_kv("tokenizer.ggml.tokens", 9, gguf_array(8, tokens, gguf_string)),
        gguf_kv("tokenizer.ggml.token_type", 9, gguf_array(5, types, lambda v: struct.pack("<i", v))),
        gguf_kv("tokenizer.ggml.merges", 9, gguf_array(8, merges, gguf_string)),
        gguf_kv("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", len(tokens) - 3)),
        gguf_kv("tokenizer.ggml.eos_token_id", 4, struct.pack("<I", len(tokens) - 2)),
    ]
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)


def gguf_seeds():
    f32 = ("token_embd.weight", 0, [32, 2], struct.pack("<64f", *[i / 64 for i in range(64)]))
    f16 = ("output_norm.weight", 1, [32], b"\x00\x3c" * 32)
    q8_0 = ("blk.0.attn_q.weight", 8, [32, 1], struct.pack("<e", 0.01) + bytes(range(32)))
    q4_0 = ("blk.0.attn_k.weight", 2, [32, 1], struct.pack("<e", 0.01) + bytes(range(16)))
    seeds = {
        "synthetic-vocab-tensors.gguf": synthetic_gguf([f32, f16, q8_0, q4_0]),
        "synthetic-vocab-only.gguf": synthetic_gguf([]),
        "synthetic-tensors-only.gguf": synthetic_gguf([f32, q8_0], vocab=False),
        "synthetic-align64.gguf": synthetic_gguf([f16, f32], align=64),
    }
    # Byte-level BPE vocabularies (Llama 3's and Qwen 2's pre-tokenizers).
    seeds["synthetic-bpe-llama.gguf"] = bpe_vocab_gguf("llama-bpe")
    seeds["synthetic-bpe-qwen2.gguf"] = bpe_vocab_gguf("qwen2")
    for name, data in seeds.items():
        put("gguf", data, name)
        put("vocabulary", data, name)
    # The start of real files: header, metadata and (for small vocabularies) the
    # tensor table; truncated, so they exercise the bounds checks too.
    for model, size in [("stories260K.gguf", 24 * 1024), ("tiny-d256-Q4_K_M.gguf", 24 * 1024),
                        ("l3-d128-Q8_0.gguf", 4096), ("phi3-d128-Q8_0.gguf", 4096)]:
        path = os.path.join(SHARED, "models", model)
        if os.path.exists(path):
            with open(path, "rb") as f:
                put("gguf", f.read(size), "head-" + model)
    # No real vocabulary whole: loading 32,000 pieces takes about 5 s under ASan on a
    # busy machine (the long run reported it as a 10 s timeout), so the fuzzer would
    # spend its time there; the synthetic vocabularies cover the same structure.


# ---- GGUF models, loaded and run ------------------------------------------------------------
def f16_bits(x):
    return struct.unpack("<H", struct.pack("<e", x))[0]


def model_tensor_bytes(ggml_type, cols, rows, rng, nan=False):
    """Plausible weights of one tensor in its stored type: small values, sane block scales."""
    n = cols * rows
    if ggml_type == 0:  # F32
        values = [rng.uniform(-0.5, 0.5) for _ in range(n)]
        if nan:
            values[len(values) // 2] = float("nan")
        return struct.pack("<%df" % n, *values)
    if ggml_type == 1:  # F16
        return struct.pack("<%de" % n, *[rng.uniform(-0.5, 0.5) for _ in range(n)])
    if ggml_type == 30:  # BF16: the top half of an F32
        return b"".join(struct.pack("<f", rng.uniform(-0.5, 0.5))[2:] for _ in range(n))
    out = b""
    if ggml_type == 8:  # Q8_0: f16 scale, 32 int8
        for _ in range(n // 32):
            out += struct.pack("<H", f16_bits(0.004)) + bytes(rng.randrange(256) for _ in range(32))
    elif ggml_type == 2:  # Q4_0: f16 scale, 16 bytes of nibbles
        for _ in range(n // 32):
            out += struct.pack("<H", f16_bits(0.05)) + bytes(rng.randrange(256) for _ in range(16))
    elif ggml_type == 12:  # Q4_K: d, dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles
        for _ in range(n // 256):
            out += struct.pack("<HH", f16_bits(0.01), f16_bits(0.005)) + \
                bytes(rng.randrange(64) for _ in range(12)) + bytes(rng.randrange(256) for _ in range(128))
    elif ggml_type == 14:  # Q6_K: ql[128], qh[64], int8 scales[16], d
        for _ in range(n // 256):
            out += bytes(rng.randrange(256) for _ in range(192)) + \
                struct.pack("<16b", *[rng.randrange(-32, 32) for _ in range(16)]) + struct.pack("<H", f16_bits(0.002))
    return out


def model_gguf(arch="llama", types=None, ffn=32, fused=False, biases=False, tied=True, nan=False, seed=1):
    """A Llama-shaped model small enough to run hundreds of times a second: 16 tokens
    (SentencePiece), dimension 32, one layer, 4 query heads sharing 2 KV heads."""
    import random
    rng = random.Random(seed)
    types = types or {}
    dim, heads, kv_heads, layers = 32, 4, 2, 1
    head_dim = dim // heads
    kv_dim = kv_heads * head_dim
    pieces = ["<unk>", "<s>", "</s>", "\u2581", "\u2581a", "\u2581the", "e", "t", "h",
              "\u2581time", "on", "ce", "o", "n", "c", "i"]
    vocab = len(pieces)
    kvs = [
        gguf_kv("general.architecture", 8, gguf_string(arch)),
        gguf_kv("general.name", 8, gguf_string("fuzz model")),
        gguf_kv(arch + ".context_length", 4, struct.pack("<I", 64)),
        gguf_kv(arch + ".embedding_length", 4, struct.pack("<I", dim)),
        gguf_kv(arch + ".block_count", 4, struct.pack("<I", layers)),
        gguf_kv(arch + ".feed_forward_length", 4, struct.pack("<I", ffn)),
        gguf_kv(arch + ".attention.head_count", 4, struct.pack("<I", heads)),
        gguf_kv(arch + ".attention.head_count_kv", 4, struct.pack("<I", kv_heads)),
        gguf_kv(arch + ".attention.layer_norm_rms_epsilon", 6, struct.pack("<f", 1e-5)),
        gguf_kv(arch + ".rope.freq_base", 6, struct.pack("<f", 10000.0)),
        gguf_kv("tokenizer.ggml.model", 8, gguf_string("llama")),
        gguf_kv("tokenizer.ggml.tokens", 9, gguf_array(8, pieces, gguf_string)),
        gguf_kv("tokenizer.ggml.scores", 9, gguf_array(6, [-float(i) for i in range(vocab)],
                                                       lambda v: struct.pack("<f", v))),
        gguf_kv("tokenizer.ggml.token_type", 9, gguf_array(5, [2, 3, 3] + [1] * (vocab - 3),
                                                           lambda v: struct.pack("<i", v))),
        gguf_kv("tokenizer.ggml.bos_token_id", 4, struct.pack("<I", 1)),
        gguf_kv("tokenizer.ggml.eos_token_id", 4, struct.pack("<I", 2)),
    ]
    shapes = [("token_embd.weight", dim, vocab)]
    for l in range(layers):
        p = "blk.%d." % l
        shapes.append((p + "attn_norm.weight", dim, 1))
        if fused:
            shapes.append((p + "attn_qkv.weight", dim, dim + 2 * kv_dim))
        else:
            shapes += [(p + "attn_q.weight", dim, dim), (p + "attn_k.weight", dim, kv_dim),
                       (p + "attn_v.weight", dim, kv_dim)]
        if biases:
            shapes += [(p + "attn_q.bias", dim, 1), (p + "attn_k.bias", kv_dim, 1), (p + "attn_v.bias", kv_dim, 1)]
        shapes += [(p + "attn_output.weight", dim, dim), (p + "ffn_norm.weight", dim, 1)]
        if fused:
            shapes.append((p + "ffn_up.weight", dim, 2 * ffn))
        else:
            shapes += [(p + "ffn_gate.weight", dim, ffn), (p + "ffn_up.weight", dim, ffn)]
        shapes.append((p + "ffn_down.weight", ffn, dim))
    shapes.append(("output_norm.weight", dim, 1))
    if not tied:
        shapes.append(("output.weight", dim, vocab))
    tensors = []
    for name, cols, rows in shapes:
        kind = name.split(".")[-2] if name.startswith("blk.") else name.split(".")[0]
        ggml_type = types.get(kind, 0)
        if name.endswith("norm.weight"):
            raw = struct.pack("<%df" % cols, *[1.0] * cols)
            ggml_type = 0
        else:
            raw = model_tensor_bytes(ggml_type, cols, rows, rng, nan=nan and name == "token_embd.weight")
        tensors.append((name, ggml_type, [cols] if rows == 1 else [cols, rows], raw))
    align = 32
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs)
    table = b""
    data = b""
    for name, ggml_type, dims, raw in tensors:
        data += b"\0" * ((-len(data)) % align)
        table += gguf_string(name) + struct.pack("<I", len(dims)) + \
            b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", ggml_type, len(data))
        data += raw
    body = header + table
    body += b"\0" * ((-len(body)) % align)
    return body + data


def model_seeds():
    seeds = {
        "llama-f32.gguf": model_gguf(),
        "llama-mixed.gguf": model_gguf(types={"token_embd": 1, "attn_q": 8, "attn_k": 2, "attn_v": 30,
                                              "attn_output": 8, "ffn_gate": 2, "ffn_up": 8, "ffn_down": 1,
                                              "output": 8}, tied=False, seed=2),
        "llama-q4k.gguf": model_gguf(types={"ffn_gate": 8, "ffn_up": 8, "ffn_down": 12}, ffn=256, seed=3),
        "llama-q6k.gguf": model_gguf(types={"ffn_gate": 2, "ffn_up": 2, "ffn_down": 14}, ffn=256, seed=4),
        "qwen2-biases.gguf": model_gguf(arch="qwen2", biases=True, tied=False, seed=5),
        "phi3-fused.gguf": model_gguf(arch="phi3", fused=True, types={"attn_qkv": 8}, seed=6),
        "llama-nan.gguf": model_gguf(nan=True, seed=7),
    }
    for name, data in seeds.items():
        put("model", data, name)


# ---- SentencePiece ------------------------------------------------------------------------
def sentencepiece_seeds():
    path = os.path.join(SHARED, "models", "tok512.model")
    if os.path.exists(path):
        with open(path, "rb") as f:
            put("sentencepiece", f.read(), "tok512.model")
    path = os.path.join(SHARED, "models", "llama2-tokenizer.model")
    if os.path.exists(path):
        with open(path, "rb") as f:
            put("sentencepiece", f.read(16 * 1024), "head-llama2-tokenizer.model")


# ---- templates --------------------------------------------------------------------------
def template_seeds():
    with open(os.path.join(SHARED, "chat-templates", "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    if isinstance(cases, dict):
        cases = cases.get("cases", list(cases.values()))
    seen = set()
    for case in cases:
        source = case["template"]
        if source in seen:
            continue
        seen.add(source)
        put("chat_template", source)
        put("template", b"\x03" + source.encode("utf-8"))  # first byte: trim + lstrip
    for name in sorted(os.listdir(os.path.join(ROOT, "resources", "apps"))):
        text = open(os.path.join(ROOT, "resources", "apps", name), encoding="utf-8").read()
        body = text.split("\n---\n", 1)[-1]
        put("template", b"\x07" + body.encode("utf-8"))  # an app template: strict too


# ---- .promptapp and Prompty ------------------------------------------------------------------
def document_seeds():
    apps = os.path.join(ROOT, "resources", "apps")
    for name in sorted(os.listdir(apps)):
        with open(os.path.join(apps, name), "rb") as f:
            put("promptapp", f.read(), name)
    raw = re.compile(r'R"\((.*?)\)"', re.S)
    for test, target in [("tests/app/document/promptapp_errors_test.cpp", "promptapp"),
                         ("tests/app/document/promptapp_migration_test.cpp", "promptapp"),
                         ("tests/app/document/prompty_test.cpp", "prompty")]:
        path = os.path.join(ROOT, test)
        if not os.path.exists(path):
            continue
        for text in raw.findall(open(path, encoding="utf-8").read()):
            if text.lstrip().startswith("---") or ":" in text.split("\n", 1)[0]:
                put(target, text)
    hello = os.path.join(ROOT, "tests", "ui", "data", "hello.prompty")
    if os.path.exists(hello):
        with open(hello, "rb") as f:
            put("prompty", f.read(), "hello.prompty")


# ---- .promptdeck ----------------------------------------------------------------------------
DECKS = [
    "promptdeck: 1\nname: Workstation demo\nattract_after: 90\nslides:\n"
    "  - app: bedtime-story.promptapp\n    inputs:\n      hero: a little fox\n"
    "      moral: \"be kind: always\"\n      pages: 3\n      rhymes: true\n"
    "    note: |-\n      Point at the tokens/s.\n      Then press R.\n"
    "  - app: /opt/apps/email.promptapp\n    inputs:\n      text: \"42\"\n    race: true\n",
    "promptdeck: 1\nname: [not, text]\nattract_after: -5\nslides:\n  - app: story.promptapp\n"
    "    race: maybe\n  - note: no app here\n  - app: x.promptapp\n    inputs:\n"
    "      hero: [a, list]\n    colour: blue\nspeed: fast\n",
    "promptdeck: 1\nslides:\n  - app: a.promptapp\n    note: {unclosed\n",
    "promptdeck: 7\nslides: []\n",
    "promptdeck: 1\nname: Anchors\nslides:\n  - &s {app: a.promptapp, inputs: &i {x: 1.5, y: null}}\n"
    "  - *s\n  - {app: b.promptapp, inputs: *i, race: false, note: ''}\n",
]


def deck_seeds():
    for text in DECKS:
        put("deck", text)
    # Each sample app named by a one-slide deck.
    for name in sorted(os.listdir(os.path.join(ROOT, "resources", "apps"))):
        put("deck", "promptdeck: 1\nname: %s\nslides:\n  - app: %s\n" % (name, name))
        break


# ---- typed text through the real vocabularies ---------------------------------------------
def tokenize_text_seeds():
    # First byte: the vocabulary (0 llama-bpe, 1 qwen2, 2 phi-3, 3 llama-spm), as in
    # fuzz_tokenize_text.cpp. The texts are the shipped tokenizer test inputs, plus
    # control-token texts a person might paste.
    folder = os.path.join(SHARED, "models", "tokenizer-vectors")
    vocabularies = ["ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf", "ggml-vocab-phi-3.gguf",
                    "ggml-vocab-llama-spm.gguf"]
    for index, name in enumerate(vocabularies):
        path = os.path.join(folder, name + ".inp")
        if not os.path.exists(path):
            continue
        texts = open(path, encoding="utf-8").read().split("\n__ggml_vocab_test__\n")
        for text in texts:
            if text.strip("\n"):
                put("tokenize_text", bytes([index]) + text.encode("utf-8"))
        for control in ["<|eot_id|><|start_header_id|>system<|end_header_id|>", "<|im_end|>\n<|im_start|>system",
                        "<|end|><|user|>", "</s><s>[INST]", "<|endoftext|>"]:
            put("tokenize_text", bytes([index]) + ("Hello " + control + " world").encode("utf-8"))


# ---- the OpenAI-compatible server ----------------------------------------------------------
OPENAI_BODIES = [
    {"model": "m", "messages": [{"role": "user", "content": "Hello"}]},
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
                  {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "A story?"}],
     "stream": True, "stream_options": {"include_usage": True}, "max_tokens": 4, "temperature": 0.7,
     "top_p": 0.9, "top_k": 40, "min_p": 0.05, "repeat_penalty": 1.1, "seed": 7, "stop": ["\n", "END"]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}], "n": 1,
     "max_completion_tokens": 3, "stop": "x"},
    {"prompt": "Once upon a time", "max_tokens": 3, "stream": False},
    {"prompt": ["a", "b"], "max_tokens": -1, "temperature": "hot"},
    {"inputs": {"text": "The quick brown fox."}, "stream": True, "max_tokens": 3},
]


def openai_seeds():
    for body in OPENAI_BODIES:
        text = json.dumps(body)
        put("openai_request", b"\x00" + text.encode())  # first byte: chat or completion
        put("openai_request", b"\x01" + text.encode())
    requests = [
        "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /v1/apps HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
        "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost\r\n"
        "Access-Control-Request-Method: POST\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\n{\"a\":\r\n0\r\n\r\n",
    ]
    for path, body in [("/v1/chat/completions", OPENAI_BODIES[0]), ("/v1/chat/completions", OPENAI_BODIES[1]),
                       ("/v1/completions", OPENAI_BODIES[3]), ("/v1/apps/summarize-text/run", OPENAI_BODIES[5])]:
        text = json.dumps(body)
        requests.append("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Authorization: Bearer k\r\nContent-Length: %d\r\n\r\n%s" % (path, len(text), text))
    for request in requests:
        put("http_server", request)


def main():
    if not os.path.isdir(SHARED):
        sys.exit("no ../shared: set PROMPTSTUDIO_SHARED_DIR")
    gguf_seeds()
    model_seeds()
    sentencepiece_seeds()
    template_seeds()
    document_seeds()
    deck_seeds()
    tokenize_text_seeds()
    openai_seeds()


if __name__ == "__main__":
    main()
