"""JUnit XML: one testsuite per file, one testcase per rule that ran on it.

CI dashboards (GitLab, Jenkins, Azure) show a rule that passed as a green case, so readers see
what was checked, not only what failed.
"""
from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from ..engine import Report
from ..rulepack import load_rules
from .common import headline, relative_uri


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
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(len(codes)),
                              failures=str(len(by_code)), errors="0", skipped="0")
        for code in codes:
            case = ET.SubElement(suite, "testcase", name=f"{code} {rules[code].name}", classname=path, file=path)
            findings = by_code.get(code)
            if findings:
                body = "\n".join(f"{f.location}: {headline(f)}" for f in findings)
                first = findings[0]
                failure = ET.SubElement(case, "failure", type=code,
                                        message=f"{len(findings)} finding(s); first: {first.location}: {first.message}")
                failure.text = body
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
