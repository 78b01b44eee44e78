"""GGUF export: finding the llama.cpp converter, and the errors for bad input (no model is converted here)."""

import io
import tarfile

import pytest

from optolab.cli.main import main as cli_main
from optolab.train.errors import TrainError
from optolab.train.export import export_gguf, find_converter, is_converter_dir, quantize_gguf


def fake_sdist(path):
    """A llama_cpp_python sdist with just the converter's files (and some that must not be copied)."""
    files = {
        "llama_cpp_python-9.9.9/vendor/llama.cpp/convert_hf_to_gguf.py": "print('convert')\n",
        "llama_cpp_python-9.9.9/vendor/llama.cpp/conversion/__init__.py": "",
        "llama_cpp_python-9.9.9/vendor/llama.cpp/gguf-py/gguf/__init__.py": "",
        "llama_cpp_python-9.9.9/vendor/llama.cpp/LICENSE": "MIT\n",
        "llama_cpp_python-9.9.9/vendor/llama.cpp/src/llama.cpp": "// not needed\n",
        "llama_cpp_python-9.9.9/llama_cpp/__init__.py": "",
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_converter_comes_from_an_sdist_into_the_model_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTOLAB_MODEL_DIR", str(tmp_path / "models"))
    sdist = fake_sdist(tmp_path / "llama_cpp_python-9.9.9.tar.gz")
    conv = find_converter(sdist)
    assert conv == tmp_path / "models" / "llama.cpp" / "llama_cpp_python-9.9.9" and is_converter_dir(conv)
    assert sorted(p.name for p in conv.iterdir()) == ["LICENSE", "conversion", "convert_hf_to_gguf.py", "gguf-py"]
    monkeypatch.setenv("OPTOLAB_LLAMA_CPP", str(sdist))
    assert find_converter() == conv  # from the environment, reusing the extracted copy
    monkeypatch.setenv("OPTOLAB_LLAMA_CPP", str(tmp_path))
    with pytest.raises(TrainError, match="has no convert_hf_to_gguf.py"):
        find_converter()
    with pytest.raises(TrainError, match="neither a llama.cpp folder nor"):
        find_converter(tmp_path / "nothing.txt")


def test_bad_inputs_get_clear_errors(tmp_path):
    with pytest.raises(TrainError, match="is not a directory"):
        export_gguf(tmp_path / "missing")
    (tmp_path / "m").mkdir()
    with pytest.raises(TrainError, match="has no config.json"):
        export_gguf(tmp_path / "m")
    (tmp_path / "m" / "config.json").write_text("{}")
    with pytest.raises(TrainError, match="holds no weights"):
        export_gguf(tmp_path / "m")
    (tmp_path / "m" / "model.safetensors").write_bytes(b"")
    with pytest.raises(TrainError, match="has no tokenizer"):
        export_gguf(tmp_path / "m")
    with pytest.raises(TrainError, match="unknown quantization 'q9'.*q4_k_m"):
        export_gguf(tmp_path / "m", quant="q9")
    with pytest.raises(TrainError, match="unknown quantization 'q9'"):
        quantize_gguf(tmp_path / "a.gguf", tmp_path / "b.gguf", "q9")
    with pytest.raises(TrainError, match="is not a file"):
        quantize_gguf(tmp_path / "a.gguf", tmp_path / "b.gguf")


def test_cli_reports_export_errors(tmp_path, capsys):
    assert cli_main(["train", "export-gguf", str(tmp_path / "missing")]) == 1
    assert "optolab train: " in capsys.readouterr().err
    assert cli_main(["train"]) == 2
