"""nn.csv_file: load_csv reads features and two classes, and names every bad file's line."""

import os
import threading

import pytest

import nn.csv_file
from nn import load_csv


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_csv_reads_features_and_target_in_any_column(tmp_path):
    path = write(tmp_path, "a,label,b\n1.5,0,2\n-3,1,4e-1\n\n0,1.0,  7 \n")
    assert load_csv(path) == ([[1.5, 2.0], [-3.0, 0.4], [0.0, 7.0]], [0, 1, 1])
    assert load_csv(str(path), target="label")[1] == [0, 1, 1]
    path = write(tmp_path, "\ufeffx,y,cls\n1,2,1\n", name="bom.csv")  # a BOM is ignored
    assert load_csv(path, target="cls") == ([[1.0, 2.0]], [1])
    path = write(tmp_path, " p ,cls,q\n1,0,2\n", name="names.csv")
    assert load_csv(path, target="cls", return_names=True) == ([[1.0, 2.0]], [0], ["p", "q"])


def test_load_csv_drops_columns_by_name(tmp_path):
    # The shape of the Wisconsin breast-cancer CSV: an ID first, word classes, and a comma
    # at the end of every line (an unnamed, empty last column).
    path = write(tmp_path, "id,diagnosis,radius,texture,\n"
                           "842302,M,17.99,10.38,\n"
                           "p-8510426,B,13.54,14.36,\n")
    X, y, names, classes = load_csv(path, target="diagnosis", drop=["id"],
                                    return_names=True, return_classes=True)
    assert (X, y, names, classes) == ([[17.99, 10.38], [13.54, 14.36]], [1, 0],
                                      ["radius", "texture"], ["B", "M"])
    assert load_csv(path, target="diagnosis", drop="id") == (X, y)  # one name as a str
    assert load_csv(path, target="diagnosis", drop=("id", "texture"))[0] == [[17.99], [13.54]]
    with pytest.raises(ValueError, match=r"line 3, column 1 \('id'\): 'p-8510426' is not"):
        load_csv(path, target="diagnosis")  # an ID column is read as a feature unless dropped


@pytest.mark.parametrize("text, drop, error, message", [
    ("id,a,label\n1,2,0\n", ["ID"], ValueError,
     r"line 1: no column 'ID' to drop; the columns are id, a, label"),
    ("id,a,label\n1,2,0\n", ["label"], ValueError,
     r"'label' is the target column; it cannot be dropped"),
    ("id,label\n1,0\n", ["id"], ValueError,
     r"only the target column 'label' and dropped or unnamed columns; no feature columns"),
    ("a,label,\n1,0,\n2,1,x\n", [], ValueError,
     r"line 3, column 3: 'x' in a column without a name; name it in the header"),
    ("a,label\n1,0\n", 5, TypeError, r"drop: expected a column name or a list of names"),
    ("a,label\n1,0\n", ["a", 1], TypeError, r"drop: column names are str, got int 1"),
    ("a,label\n1,0\n", b"a", TypeError, r"drop: expected a column name or a list of names, "
                                         r"got bytes"),
    ("a,label\n1,0\n", [" "], ValueError, r"drop: an empty column name ' '"),
    ("a,label\n1,0\n", "", ValueError, r"drop: an empty column name ''"),
])
def test_load_csv_refuses_a_bad_drop(tmp_path, text, drop, error, message):
    path = write(tmp_path, text)
    with pytest.raises(error, match=message):
        load_csv(path, drop=drop)


@pytest.mark.parametrize("text, target, message", [
    ("", "label", r"data\.csv: the file is empty"),
    ("\n\n", "label", r"data\.csv: the file is empty"),
    ("a,b\n1,2\n", "label", r"data\.csv, line 1: no target column 'label'; the columns are a, b"),
    ("a,label\n", "label", r"data\.csv: a header but no data rows"),
    ("label\n1\n", "label", r"line 1: only the target column"),
    ("a,a,label\n1,2,1\n", "label", r"line 1, column 2: the column name 'a' appears twice"),
    ("a,,label\n1,2,1\n", "label", r"line 2, column 2: '2' in a column without a name"),
    ("a,label\n1,0\nx,1\n", "label", r"line 3, column 1 \('a'\): 'x' is not a finite number"),
    ("a,label\nnan,0\n", "label", r"line 2, column 1 \('a'\): 'nan' is not a finite number"),
    ("a,label\n1,0\n-inf,1\n", "label", r"line 3, column 1 \('a'\): '-inf' is not a finite"),
    ("a,label\nInfinity,1\n", "label", r"line 2, column 1 \('a'\): 'Infinity' is not"),
    ("a,label\n1e999,1\n", "label", r"line 2, column 1 \('a'\): '1e999' is not"),
    ("a,b,label\n1,,0\n", "label", r"line 2, column 2 \('b'\): '' is not a finite number"),
    ("a,label\n1_000,0\n", "label", r"line 2, column 1 \('a'\): '1_000' is not"),
    ("a,b,label\n1,2,0\n1,2\n", "label", r"line 3: row too short: 2 cells, but the header has 3"),
    ("a,label\n1,0,5\n", "label", r"line 2: row too long: 3 cells, but the header has 2"),
    ("a,label\n1,2\n", "label", r"column 2 \('label'\): every target is '2'; a "
                                r"classifier needs at least two classes"),
    ("a,label\n1,yes\n2,yes\n", "label", r"every target is 'yes'"),
    ("a,label\n" + "".join(f"{i},{i}.5\n" for i in range(101)), "label",
     r"column 2 \('label'\), line 102: '100.5' is class 101, more than the 100 "
     r"\(MAX_CLASSES\) a classifier here takes; is this column a number to predict"),
    ("a,label\n1,0\n2, \n", "label", r"line 3, column 2 \('label'\): the target is empty"),
    ("a,label\n1,1\n2,nan\n", "label", r"column 2 \('label'\), line 3: the target 'nan' is "
                                      r"not a finite number"),
    ("a,label\n1,0\n2,1e400\n", "label", r"line 3: the target '1e400' is not a finite"),
    ("a,label\n1,-inf\n2,0\n", "label", r"line 2: the target '-inf' is not a finite"),
    ("a,label\n1,1_0\n2,0\n", "label", r"line 2: the target '1_0' is not a finite"),
    ("a,y\n1,0\n", "label", r"no target column 'label'; the columns are a, y"),
])
def test_every_bad_csv_names_file_line_and_column(tmp_path, text, target, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=message) as failure:
        load_csv(path, target=target)
    assert str(path) in str(failure.value)


@pytest.mark.parametrize("labels, y, classes", [
    (["0", "1", "1.0", "0"], [0, 1, 1, 0], ["0", "1"]),        # 0 and 1 as they are
    (["1", "1"], [1, 1], ["0", "1"]),                           # one of them alone is kept
    (["-1", "1", "-1"], [0, 1, 0], ["-1", "1"]),                # two numbers: in their order
    (["2", "10", "2"], [0, 1, 0], ["2", "10"]),                 # (numerically, not as text)
    (["M", "B", " M "], [1, 0, 1], ["B", "M"]),                 # two words: alphabetically
    (["yes", "no"], [1, 0], ["no", "yes"]),
    (["True", "False"], [1, 0], ["False", "True"]),
    (["no", "Yes", "no"], [0, 1, 0], ["no", "Yes"]),           # ignoring case: no, Yes
    (["TRUE", "true"], [0, 1], ["TRUE", "true"]),             # but two spellings, two classes
    (["1", "x"], [0, 1], ["1", "x"]),                           # a number and a word: as text
    (["0", "1", "2", "1"], [0, 1, 2, 1], ["0", "1", "2"]),      # k numbers: in their order
    (["7", "3", "5", "3.0"], [2, 0, 1, 0], ["3", "5", "7"]),
    (["virginica", "setosa", "Versicolor", "setosa"], [2, 0, 1, 0],
     ["setosa", "Versicolor", "virginica"]),                    # k words: alphabetically
    (["B", "M", "m"], [0, 1, 2], ["B", "M", "m"]),             # M before m, told apart
])
def test_two_classes_of_any_spelling_become_0_and_1(tmp_path, labels, y, classes):
    path = write(tmp_path, "a,label\n" + "".join(f"{i},{t}\n" for i, t in enumerate(labels)))
    X, y_read, names, classes_read = load_csv(path, return_names=True, return_classes=True)
    assert (X, y_read, names, classes_read) == ([[float(i)] for i in range(len(labels))], y,
                                                ["a"], classes)


def test_load_csv_missing_file_and_binary_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope\.csv: no such file"):
        load_csv(tmp_path / "nope.csv")
    path = tmp_path / "binary.csv"
    path.write_bytes(b"a,label\n\xff\xfe,1\n")
    with pytest.raises(ValueError, match=r"binary\.csv, line 2, column 1: byte 0xff is not "
                                         r"UTF-8 text"):
        load_csv(path)


def test_bad_utf8_deep_in_the_file_names_its_line_and_column(tmp_path):
    # Far past the text decoder's first 8 KiB chunk (at byte 18,013); the column counts
    # characters: the UTF-8 é (2 bytes) is one, then a Latin-1 é (byte 0xe9).
    path = tmp_path / "latin1.csv"
    path.write_bytes("é,label\n".encode() + b"0.5,1\n" * 3000 + b"1\xc3\xa9,\xe9\n")
    with pytest.raises(ValueError, match=r"latin1\.csv, line 3002, column 4: byte 0xe9 is not "
                                         r"UTF-8 text; save the file as UTF-8"):
        load_csv(path)
    path.write_bytes(b"a,label\r1,0\r\xe9,1\r")  # old Mac line ends count as lines too
    with pytest.raises(ValueError, match=r"line 3, column 1: byte 0xe9"):
        load_csv(path)


def test_overlong_lines_and_files_are_refused_before_being_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.csv_file, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(nn.csv_file, "MAX_CSV_BYTES", 1000)
    path = write(tmp_path, "a,label\n" + "1" * 5000)  # no newline at all
    with pytest.raises(ValueError, match=r"data\.csv: 5,008 bytes, more than the 1,000"):
        load_csv(path)
    monkeypatch.setattr(nn.csv_file, "MAX_CSV_BYTES", 10_000)
    with pytest.raises(ValueError, match=r"data\.csv, line 2: longer than 100 characters"):
        load_csv(path)
    path = write(tmp_path, "a,label\n" + "1,0\n" * 99 + "1" * 101 + ",0\n")
    with pytest.raises(ValueError, match=r"line 101: longer than 100 characters"):
        load_csv(path)
    assert len(load_csv(write(tmp_path, "a,label\n" + "1" * 97 + ",0\n"))[0]) == 1  # 100 chars


def test_endless_streams_are_refused(tmp_path, monkeypatch):
    if os.path.exists("/dev/zero"):  # no newline, no size: only a bounded read can stop
        with pytest.raises(ValueError, match=r"/dev/zero, line 1: longer than 1,000,000 char"):
            load_csv("/dev/zero")
    if not hasattr(os, "mkfifo"):
        return
    # A pipe has no size to check first: the characters read are counted instead.
    monkeypatch.setattr(nn.csv_file, "MAX_CSV_BYTES", 1000)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            try:
                f.write("a,label\n" + "0.5,1\n" * 1000)
            except BrokenPipeError:  # the reader stopped early, as it should
                pass

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(ValueError, match=r"pipe\.csv: more than 1,000 characters"):
            load_csv(fifo)
    finally:
        writer.join()


def test_load_csv_multiline_quoted_cell_reports_the_right_line(tmp_path):
    path = write(tmp_path, 'a,label\n1,0\n"2\n3",1\n4,x\n')
    with pytest.raises(ValueError, match=r"line 3, column 1 \('a'\): '2\\n3' is not"):
        load_csv(path)
    path = write(tmp_path, 'a,label\n"1\n",0\n4,1\n5,nan\n')
    with pytest.raises(ValueError, match=r"column 2 \('label'\), line 5: the target 'nan'"):
        load_csv(path)


def test_wide_header_is_read_in_linear_time(tmp_path):
    # 100,000 columns: a quadratic duplicate-name check would take about a minute.
    names = [f"c{i}" for i in range(100_000)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names + ["label"]) + "\n" + ",".join(["1"] * 100_000 + ["0"]) + "\n")
    X, y = load_csv(path)
    assert len(X[0]) == 100_000 and y == [0]


def test_too_many_rows_is_refused_by_line(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.csv_file, "MAX_CSV_ROWS", 3)
    path = tmp_path / "long.csv"
    path.write_text("a,label\n" + "1,0\n" * 10)
    with pytest.raises(ValueError, match=r"line 5: more than 3 data rows \(MAX_CSV_ROWS\)"):
        load_csv(path)


# ----- quoting, blank lines, separators, folders (issue 19) -----

def _csv(tmp_path, text):
    path = tmp_path / "q.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, line", [
    ('a,b,label\n1,"2,0\n3,4,1\n5,6,1\n', 2),   # the quote takes in the rest of the file
    ('a,b,label\n1,2,0\n3,4,1\n5,6,"0', 4),     # was read as label 0
    ('a,b,label\n1,2,0\n5,6,"0\n', 3),
    ('a,"b,label\n1,2,0\n', 1),                 # in the header
])
def test_an_unclosed_quote_is_named_where_it_opens(tmp_path, text, line):
    with pytest.raises(ValueError, match=rf"q\.csv, line {line}: a quote \(\"\) opened in this "
                                         r"row is never closed"):
        load_csv(_csv(tmp_path, text))


def test_a_quoted_cell_spanning_lines_is_named_when_the_row_is_wrong(tmp_path):
    path = _csv(tmp_path, 'a,b,label\n1,"2\n3",4,0\n5,6,1\n')
    with pytest.raises(ValueError, match=r"line 2: row too long: 4 cells, .*a quoted cell runs "
                                         r"from line 2 to line 3: is a quote"):
        load_csv(path)


def test_text_after_a_closing_quote_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"line 2: text follows the closing quote"):
        load_csv(_csv(tmp_path, 'a,b,label\n1,"2"x,0\n3,4,1\n'))


def test_quoted_cells_and_doubled_quotes_still_read(tmp_path):
    X, y, names = load_csv(_csv(tmp_path, 'a,"b ""x""",label\n"1",2,"0"\n3,"4",1\n'),
                           return_names=True)
    assert X == [[1.0, 2.0], [3.0, 4.0]] and y == [0, 1] and names == ["a", 'b "x"']


@pytest.mark.parametrize("blank", ["   ", "\t", " \t ", ""])
def test_whitespace_only_lines_are_skipped_as_blank_ones(tmp_path, blank):
    path = _csv(tmp_path, f"{blank}\na,b,label\n{blank}\n1,2,0\n{blank}\n3,4,1\n{blank}\n")
    assert load_csv(path) == ([[1.0, 2.0], [3.0, 4.0]], [0, 1])


@pytest.mark.parametrize("separator, word", [(";", "semicolons"), ("\t", "tabs"), ("|", "bars")])
def test_another_separator_gets_a_hint(tmp_path, separator, word):
    path = _csv(tmp_path, separator.join(["a", "b", "label"]) + "\n" + separator.join("120"))
    with pytest.raises(ValueError, match=rf"no target column 'label'.*seems separated by {word}, "
                                         r"but plaingrad reads comma-separated files"):
        load_csv(path)


def test_a_folder_is_refused_in_words(tmp_path):
    with pytest.raises(IsADirectoryError, match=r"^.*: a folder, not a CSV file") as caught:
        load_csv(tmp_path)
    assert "Errno" not in str(caught.value)


@pytest.mark.parametrize("cell, why", [("١٢", "only the digits 0-9"), ("1_0", "digit groups"),
                                       ("0x1", "")])
def test_cells_follow_the_one_rule_for_typed_numbers(tmp_path, cell, why):
    with pytest.raises(ValueError, match=rf"line 2, column 1 \('a'\): '{cell}' is not a finite "
                                         rf"number.*{why}"):
        load_csv(_csv(tmp_path, f"a,label\n{cell},0\n2,1\n"))


@pytest.mark.parametrize("cell, why", [("١", "only the digits 0-9"), ("1_0", "digit groups")])
def test_targets_follow_the_one_rule_for_typed_numbers(tmp_path, cell, why):
    with pytest.raises(ValueError, match=rf"line 2: the target '{cell}' is not a finite "
                                         rf"number: {why}"):
        load_csv(_csv(tmp_path, f"a,label\n1,{cell}\n2,0\n"))


def test_the_target_name_is_stripped_as_the_header_names_are(tmp_path):
    path = _csv(tmp_path, " a , diagnosis \n1,B\n2,M\n")
    assert load_csv(path, target=" diagnosis ") == ([[1.0], [2.0]], [0, 1])
