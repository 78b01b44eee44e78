from optolab.agents.codeast import quiet_fix


def test_a_guarded_fix_returns_none_where_it_trips_and_keeps_its_name_and_doc():
    @quiet_fix
    def first_line(code: str, question: str):
        """The code's first line, upper-cased."""
        return code.splitlines()[0].upper()

    assert first_line("x = 1\ny = 2", "q") == "X = 1"
    assert first_line("", "q") is None  # IndexError inside: the code stays as it was
    assert first_line.__name__ == "first_line" and first_line.__doc__ == "The code's first line, upper-cased."
