#!/usr/bin/env python3
"""An independent FIX 4.4 tag=value reader and writer for the CLI tests (tests/cli/test_blocks.sh).

Written from the FIX 4.4 specification, volume 1, "Message format" and appendix "CheckSum
calculation" (FIX Protocol Ltd, 2003), not from src/io/fix.c:
- a message is fields "tag=value" each ended by SOH (0x01); 8=BeginString first, 9=BodyLength
  second, 35=MsgType third, 10=CheckSum last;
- BodyLength counts the bytes after the SOH that ends 9= up to and including the SOH before 10=;
- CheckSum is the sum of every byte up to and including the SOH before 10=, modulo 256, written
  as three digits.

  fix_check.py orders FILE        checks every NewOrderSingle of FILE (one a line), prints one
                                  line per message: ClOrdID Symbol Side OrderQty OrdType
                                  [Price] [NoAllocs ACCOUNT=QTY ...]; exit 1 naming the message
                                  and the tag at the first fault
  fix_check.py exec OUT ROWS...   writes ExecutionReports (35=8) to OUT, one per ROW
                                  "ClOrdID,ExecID,Symbol,Side,LastQty,LastPx,CumQty,YYYYMMDD"
"""
import sys

SOH = "\x01"
# NewOrderSingle (35=D): the tags the export must carry; 44 only with OrdType 2 (limit)
NOS_REQUIRED = ["49", "56", "34", "52", "11", "55", "54", "60", "38", "40"]


def frame(body_fields):
    """The whole message for the fields after 9= (35= first), with 8, 9 and 10."""
    body = "".join("%s=%s%s" % (t, v, SOH) for t, v in body_fields)
    head = "8=FIX.4.4" + SOH + "9=%d" % len(body.encode()) + SOH
    total = sum((head + body).encode()) % 256
    return head + body + "10=%03d" % total + SOH


def parse(msg, no):
    """[(tag, value)] of one message, after checking 8, 9, 10 and 35 as the spec says."""
    def fail(tag, why):
        sys.exit("message %d: tag %s: %s" % (no, tag, why))
    if not msg.endswith(SOH):
        fail("10", "the message does not end with SOH")
    fields = [f.split("=", 1) for f in msg[:-1].split(SOH)]
    for f in fields:
        if len(f) != 2 or not f[0].isdigit() or f[1] == "":
            fail("?", "a field is not tag=value: %r" % (f,))
    tags = [t for t, _ in fields]
    if tags[:3] != ["8", "9", "35"] or tags[-1] != "10":
        fail("8/9/35/10", "header or trailer out of order: %s" % tags[:3])
    if fields[0][1] != "FIX.4.4":
        fail("8", "BeginString is %s" % fields[0][1])
    raw = msg.encode()
    start = raw.index(b"\x0135=") + 1             # after the SOH ending 9=
    end = raw.rindex(b"10=")                      # the SOH before 10= is the body's last byte
    if int(fields[1][1]) != end - start:
        fail("9", "BodyLength %s, counted %d" % (fields[1][1], end - start))
    if fields[-1][1] != "%03d" % (sum(raw[:end]) % 256):
        fail("10", "CheckSum %s, computed %03d" % (fields[-1][1], sum(raw[:end]) % 256))
    return fields


def orders(path):
    with open(path, "rb") as f:
        lines = [l for l in f.read().decode().split("\n") if l]
    for no, line in enumerate(lines, 1):
        fields = parse(line, no)
        d = {}
        for t, v in fields:
            d.setdefault(t, v)
        if d["35"] != "D":
            sys.exit("message %d: tag 35: not a NewOrderSingle: %s" % (no, d["35"]))
        for t in NOS_REQUIRED:
            if t not in d:
                sys.exit("message %d: tag %s: missing" % (no, t))
        if d["34"] != str(no):
            sys.exit("message %d: tag 34: MsgSeqNum %s" % (no, d["34"]))
        if d["54"] not in ("1", "2") or d["40"] not in ("1", "2"):
            sys.exit("message %d: tag 54/40: %s/%s" % (no, d["54"], d["40"]))
        if (d["40"] == "2") != ("44" in d):
            sys.exit("message %d: tag 44: Price goes with OrdType 2 only" % no)
        out = [d["11"], d["55"], d["54"], d["38"], d["40"]]
        if "44" in d:
            out.append(d["44"])
        if "78" in d:
            accts = [v for t, v in fields if t == "79"]
            qtys = [v for t, v in fields if t == "80"]
            if len(accts) != int(d["78"]) or len(qtys) != len(accts):
                sys.exit("message %d: tag 78: NoAllocs %s, %d entries" % (no, d["78"], len(accts)))
            # the pre-allocation sums to the order (exactly: decimals of at most 6 places)
            micro = lambda s: round(float(s) * 1000000)
            if sum(micro(q) for q in qtys) != micro(d["38"]):
                sys.exit("message %d: tag 80: the AllocQty do not sum to OrderQty" % no)
            out.append(d["78"])
            out += ["%s=%s" % (a, q) for a, q in zip(accts, qtys)]
        print(" ".join(out))


def execs(path, rows):
    with open(path, "wb") as f:
        for n, row in enumerate(rows, 1):
            cl, ex, sym, side, last, px, cum, day = row.split(",")
            f.write(frame([("35", "8"), ("49", "BROKER"), ("56", "DEMO"), ("34", str(n)),
                           ("52", day + "-21:00:00"), ("37", "X" + ex), ("11", cl), ("17", ex),
                           ("150", "F"), ("39", "2"), ("55", sym), ("54", side), ("38", cum),
                           ("32", last), ("31", px), ("151", "0"), ("14", cum), ("6", px),
                           ("60", day + "-21:00:00")]).encode() + b"\n")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "orders":
        orders(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "exec":
        execs(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 2 and sys.argv[1] == "selftest":
        # the published example: the FIX 4.2 ExecutionReport of Wikipedia's "Financial
        # Information eXchange" article, BodyLength 178 and CheckSum 128 as printed there
        wiki = SOH.join(["8=FIX.4.2", "9=178", "35=8", "49=PHLX", "56=PERS",
                         "52=20071123-05:30:00.000", "11=ATOMNOCCC9990900", "20=3", "150=E",
                         "39=E", "55=MSFT", "167=CS", "54=1", "38=15", "40=2", "44=15",
                         "58=PHLX EQUITY TESTING", "59=0", "47=C", "32=0", "31=0", "151=15",
                         "14=0", "6=0", "10=128"]) + SOH
        raw = wiki.encode()
        start = raw.index(b"\x0135=") + 1
        end = raw.rindex(b"10=")
        assert end - start == 178, end - start
        assert sum(raw[:end]) % 256 == 128
        print("ok")
    else:
        sys.exit(__doc__)
