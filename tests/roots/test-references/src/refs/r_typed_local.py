from refs.typed import Writer, make_writer


def write():
    tw = Writer()
    tw.line()
    made = make_writer()
    made.line()
    declared: Writer = pick()
    declared.line()
    return make_writer().line()


def pick():
    return None
