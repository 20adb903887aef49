"""Atomic writes and readers that name the file they failed on."""

import signal
import subprocess
import sys

import pandas as pd
import pytest
import torch

from landscape.base.io import (
    DataFileError,
    atomic_path,
    load_checkpoint,
    read_table,
    save_checkpoint,
    write_table,
)


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "table.csv"
    write_table(pd.DataFrame({"a": [1]}), path)
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert read_table(path)["a"].tolist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_tables_keep_float64_precision(tmp_path):
    value = 0.1 + 0.2
    write_table(pd.DataFrame({"x": [value, 1e-300]}), tmp_path / "t.csv")
    assert read_table(tmp_path / "t.csv")["x"].tolist() == [value, 1e-300]


def test_read_table_names_file_and_missing_columns(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataFileError, match="empty.csv"):
        read_table(tmp_path / "empty.csv")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    with pytest.raises(DataFileError, match=r"t.csv: table lacks columns \['b'\]"):
        read_table(tmp_path / "t.csv", ["a", "b"])


def test_writer_killed_mid_write_leaves_no_final_file_and_its_temporary_is_cleared(tmp_path):
    """Kill -9 a writer half-way: nothing under the final name, and the next writer cleans up.

    The next writer of that path removes the orphaned temporary and writes the whole table.
    """
    path = tmp_path / "t.csv"
    code = (
        "import sys, time; from landscape.base.io import atomic_path\n"
        f"with atomic_path({str(path)!r}) as tmp:\n"
        "    tmp.write_text('a,b\\n1,')\n"
        "    print('half', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "half"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    orphans = list(tmp_path.glob(".t.*.csv"))
    assert len(orphans) == 1 and orphans[0].read_text() == "a,b\n1,"
    assert not path.exists()  # the half-written table is not under its name
    write_table(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), path)
    assert list(tmp_path.glob(".t.*")) == []
    assert read_table(path, ["a", "b"])["b"].tolist() == [3, 4]
    (tmp_path / ".t.csv.keep").write_text("not ours")  # names that are not temporaries stay
    (tmp_path / ".tx.abcdefgh.csv").write_text("another file's")
    write_table(pd.DataFrame({"a": [1]}), path)
    assert sorted(p.name for p in tmp_path.glob(".*")) == [".t.csv.keep", ".tx.abcdefgh.csv"]


def test_truncated_table_is_refused_not_read_short(tmp_path):
    path = tmp_path / "t.csv"
    write_table(pd.DataFrame({"a": range(100), "b": 0.5}), path)
    data = path.read_bytes()
    assert len(read_table(path, ["a", "b"])) == 100
    path.write_bytes(data[: len(data) // 2])  # cut mid-row: pandas alone would read 50 rows
    with pytest.raises(DataFileError, match=r"t.csv: table is truncated"):
        read_table(path, ["a", "b"])


def test_checkpoint_roundtrip_and_corruption(tmp_path):
    path = tmp_path / "nets.pt"
    save_checkpoint({"params": torch.ones(2, 3), "seeds": [0, 1]}, path)
    back = load_checkpoint(path, ["params", "seeds"])
    assert torch.equal(back["params"], torch.ones(2, 3)) and back["seeds"] == [0, 1]
    with pytest.raises(DataFileError, match=r"nets.pt: checkpoint lacks entries \['widths'\]"):
        load_checkpoint(path, ["params", "widths"])
    damaged = tmp_path / "damaged.pt"
    damaged.write_bytes(path.read_bytes()[:50])
    with pytest.raises(DataFileError, match="damaged.pt: cannot read checkpoint"):
        load_checkpoint(damaged, ["params"])
