"""JUnit XML: one testsuite per file, one testcase per rule that ran on it.

CI dashboards (GitLab, Jenkins, Azure) show a rule that passed as a green case, so readers see
what was checked, not only what failed.
"""
from __future__ import annotations

import re
from typing import TextIO
from xml.etree import ElementTree as ET

from ..engine import Report
from ..model import Finding, Location
from ..rulepack import load_rules
from .common import headline, relative_uri

# Characters XML 1.0 cannot carry even as references (control characters, lone surrogates, U+FFFE/F).
# ElementTree writes them as they are and every JUnit consumer then rejects the whole file.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _where(finding: Finding, path: str) -> str:
    """`path:line[:column]` with the same repository-relative path as the suite name."""
    loc = finding.location
    return str(Location(path, loc.line, loc.column))


def report_junit(report: Report) -> ET.Element:
    rules = load_rules()
    suites = ET.Element("testsuites", name="ftlint")
    total_tests = total_failures = 0
    for result in report.files:
        path = relative_uri(result.path)
        by_code: dict[str, list] = {}
        for finding in result.findings:
            if finding.severity >= report.fail_on:
                by_code.setdefault(finding.code, []).append(finding)
        codes = sorted(set(result.rules_run) | set(by_code))
        name = _xml_text(path)
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(codes)),
                              failures=str(len(by_code)), errors="0", skipped="0")
        for code in codes:
            case = ET.SubElement(suite, "testcase", name=f"{code} {rules[code].name}", classname=name, file=name)
            findings = by_code.get(code)
            if findings:
                body = "\n".join(f"{_where(f, path)}: {headline(f)}" for f in findings)
                first = findings[0]
                message = f"{len(findings)} finding(s); first: {_where(first, path)}: {first.message}"
                failure = ET.SubElement(case, "failure", type=code, message=_xml_text(message))
                failure.text = _xml_text(body)
        total_tests += len(codes)
        total_failures += len(by_code)
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    return suites


def write(report: Report, out: TextIO, options: dict) -> None:
    tree = report_junit(report)
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree, encoding="unicode"))
    out.write("\n")
