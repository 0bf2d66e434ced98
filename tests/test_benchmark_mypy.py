"""The mypy plugin benchmark (#17): its corpus generator and its harness, not its timings.

Timings on a shared machine are too noisy to assert, so nothing here checks a ratio
against the issue's targets. What is checked: the corpus is deterministic, has the
constructs the plugin looks at, imports, and is clean under ``mypy --strict`` in every
configuration timed; the harness gives every cold run a fresh cache and every warm run
the cache of the cold run before it, rotates the order, and judges and reports the
ratios it is given.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from benchmarks import _mypy_corpus as corpus
from benchmarks import mypy_plugin as bench

ROOT = Path(__file__).resolve().parent.parent
SMALL = 10
"""The corpus size the slow tests use."""


def _modules_with_code(files: Mapping[str, str]) -> list[str]:
    return [path for path in files if not path.endswith("__init__.py")]


# -- the corpus -------------------------------------------------------------------------


def test_corpus_is_deterministic() -> None:
    """The same size and seed give the same files, byte for byte."""
    assert corpus.render(50, seed=3) == corpus.render(50, seed=3)


def test_seed_changes_the_corpus() -> None:
    """Another seed gives another corpus of the same size."""
    first, second = corpus.render(50, seed=0), corpus.render(50, seed=1)
    assert len(_modules_with_code(first)) == len(_modules_with_code(second))
    assert first != second


@pytest.mark.parametrize("modules", [corpus.MIN_MODULES, SMALL, 57, 200, 401])
def test_corpus_has_the_requested_number_of_modules(modules: int) -> None:
    """``modules`` counts every generated module with code, ``__init__.py`` aside."""
    assert len(_modules_with_code(corpus.render(modules))) == modules


@pytest.mark.parametrize(("modules", "expected"), [(4, 2), (10, 2), (200, 10), (401, 20)])
def test_about_one_module_in_twenty_declares_signals(modules: int, expected: int) -> None:
    """A few modules declare the signals; the rest import and use them."""
    files = corpus.render(modules)
    declaring = [path for path in _modules_with_code(files) if "/events/" in path]
    assert len(declaring) == corpus.domain_count(modules) == expected


def test_too_small_a_corpus_is_refused() -> None:
    """Fewer modules than a core, two event modules and one feature is an error."""
    with pytest.raises(ValueError, match=f"at least {corpus.MIN_MODULES} modules"):
        corpus.render(corpus.MIN_MODULES - 1)


def test_more_domains_than_names_get_numbered() -> None:
    """A corpus with more event modules than domain names numbers the repeats."""
    names = [domain.name for domain in corpus.plan(2000)]
    assert len(names) == len(set(names)) == 100


CONSTRUCTS = {
    "int field": ": int\n",
    "str field": "    title: str\n",
    "optional field": ": str | None = None",
    "enum field": "(enum.Enum):",
    "nested model": "    ref: ",
    "list field": ": list[str] = Field(default_factory=list)",
    "aliased field": 'Field(alias="externalCode")',
    "Signal(...)": " = Signal(",
    "Namespace.signal(...)": " = namespace.signal(",
    "module-level signal(...)": " = signal(",
    "sender=": "sender=App",
    "payload-less signal": '.flushed", sender=App',
    "@connect": ".connect\ndef ",
    "connect_via with priority": ".connect_via(ANY, priority=",
    "connect with sender=": "sender=DEFAULT_APP)",
    "bound method with priority": ".handle, priority=",
    "send in a loop": "        results = ",
    "send_payload": ".send_payload(",
    "send_async": "await ",
    "aliased keyword in a send": "externalCode=f",
    "ordinary class": "class RecentIds",
    "ordinary loop": "for start in range(",
}
"""What the corpus must hold (issue #17's list) and a piece of source that shows it."""


@pytest.mark.parametrize("snippet", list(CONSTRUCTS.values()), ids=list(CONSTRUCTS))
def test_small_corpus_has_every_construct(snippet: str) -> None:
    """The small corpus the mypy test checks already holds every construct the plugin sees."""
    files = corpus.render(SMALL)
    assert any(snippet in text for text in files.values())


def test_corpus_imports_and_declares_its_signals(tmp_path: Path) -> None:
    """Every module imports at run time: the declarations and connections are valid."""
    corpus.generate(tmp_path, SMALL)
    code = (
        "import importlib, pkgutil, shopapp, typedsignals\n"
        "names = [m.name for m in pkgutil.walk_packages(shopapp.__path__, 'shopapp.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "ours = [s for s in typedsignals.all_signals() if (s.module or '').startswith('shopapp')]\n"
        "print(len(names), len(ours))"
    )
    completed = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    expected = sum(len(domain.events) for domain in corpus.plan(SMALL))
    assert completed.stdout.split() == [str(len(corpus.render(SMALL)) - 1), str(expected)]


# -- the harness, with a recording runner instead of mypy --------------------------------


class Recorder:
    """Stands in for mypy: records each command and answers like a clean run."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], Path, dict[str, str]]] = []

    def __call__(self, command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> bench.Run:
        self.calls.append((list(command), cwd, dict(env)))
        cache = Path(command[command.index("--cache-dir") + 1])
        seconds = 0.5 if cache.exists() else 2.0  # warm runs find the cache cold runs wrote
        cache.mkdir(parents=True, exist_ok=True)
        return bench.Run(seconds, seconds, 0, "Success: no issues found\n")


def _measured(tmp_path: Path, repeats: int = 3, warm_runs: int = 2) -> Recorder:
    recorder = Recorder()
    bench.measure(
        tmp_path,
        bench.VARIANTS,
        repeats,
        warm_runs,
        runner=recorder,
        environ={"PATH": "/bin", "MYPYPATH": "/elsewhere"},
    )
    return recorder


def _cache(command: Sequence[str]) -> str:
    return command[command.index("--cache-dir") + 1]


def test_every_cold_run_gets_a_new_cache_directory(tmp_path: Path) -> None:
    """Each cold run starts from a cache directory no earlier run used."""
    calls = _measured(tmp_path, warm_runs=2).calls
    cold = [_cache(command) for command, _, _ in calls[::3]]
    assert len(cold) == 3 * len(bench.VARIANTS)
    assert len(set(cold)) == len(cold)


def test_warm_runs_reuse_the_cold_runs_cache(tmp_path: Path) -> None:
    """The runs after a cold run use its cache directory and its config, unchanged."""
    calls = _measured(tmp_path, warm_runs=2).calls
    for start in range(0, len(calls), 3):
        commands = [command for command, _, _ in calls[start : start + 3]]
        assert commands[0] == commands[1] == commands[2]


def test_every_run_has_the_same_directory_and_environment(tmp_path: Path) -> None:
    """Every run has the same working directory and environment, whatever the config."""
    calls = _measured(tmp_path).calls
    assert {str(cwd) for _, cwd, _ in calls} == {str(tmp_path)}
    assert all(env == calls[0][2] for _, _, env in calls)


def test_each_configuration_has_its_own_config_file(tmp_path: Path) -> None:
    """A run's ``--config-file`` is the file written for its configuration."""
    calls = _measured(tmp_path, repeats=1, warm_runs=1).calls
    configs = [command[command.index("--config-file") + 1] for command, _, _ in calls[::2]]
    expected = [str(tmp_path / "configs" / f"{v.key}.toml") for v in bench.VARIANTS]
    assert configs == expected
    for variant in bench.VARIANTS:
        written = (tmp_path / "configs" / f"{variant.key}.toml").read_text(encoding="utf-8")
        assert written == bench.config_text(variant)


CONFIGS = {
    "mypy": "[tool.mypy]\nstrict = true\n",
    "mypy+typedsignals": '[tool.mypy]\nstrict = true\nplugins = ["typedsignals.mypy"]\n',
    "pydantic": '[tool.mypy]\nstrict = true\nplugins = ["pydantic.mypy"]\n',
    "pydantic+typedsignals": (
        '[tool.mypy]\nstrict = true\nplugins = ["pydantic.mypy", "typedsignals.mypy"]\n'
    ),
}
"""The config file of each configuration: strict mypy and its plugins, nothing else."""


@pytest.mark.parametrize("variant", bench.VARIANTS, ids=[v.key for v in bench.VARIANTS])
def test_config_enables_exactly_the_variants_plugins(variant: bench.Variant) -> None:
    """The config is strict mypy with the configuration's plugins and nothing else."""
    assert bench.config_text(variant) == CONFIGS[variant.key]


def test_pydantic_row_adds_only_our_plugin() -> None:
    """Each comparison's configurations differ by the typedsignals plugin alone."""
    variants = {variant.key: variant for variant in bench.VARIANTS}
    for comparison in bench.COMPARISONS:
        base, plugin = variants[comparison.base], variants[comparison.plugin]
        assert plugin.plugins == (*base.plugins, bench.PLUGIN)


def test_environment_drops_mypys_variables() -> None:
    """The runs' environment has no MYPYPATH or MYPY_CACHE_DIR, and a fixed hash seed."""
    env = bench.child_environment(
        {"PATH": "/bin", "MYPYPATH": "x", "MYPY_CACHE_DIR": "y", "PYTHONHASHSEED": "random"}
    )
    assert env == {"PATH": "/bin", "PYTHONHASHSEED": "0"}


def test_command_runs_mypy_from_this_interpreter(tmp_path: Path) -> None:
    """mypy runs as ``python -m mypy`` over the package, with the given config and cache."""
    command = bench.mypy_command("/py", tmp_path / "c.toml", tmp_path / "cache")
    assert command == [
        "/py",
        "-m",
        "mypy",
        "--config-file",
        str(tmp_path / "c.toml"),
        "--cache-dir",
        str(tmp_path / "cache"),
        corpus.PACKAGE,
    ]


def test_schedule_rotates_the_order() -> None:
    """Each repetition starts one configuration later, so each takes every position."""
    a, b, c = (bench.Variant(key, ()) for key in "abc")
    assert bench.schedule([a, b, c], 4) == [[a, b, c], [b, c, a], [c, a, b], [a, b, c]]


def test_unimportable_plugin_is_not_run(tmp_path: Path) -> None:
    """A configuration whose plugin cannot be imported is marked unavailable, never run."""
    recorder = Recorder()
    missing = bench.Variant("broken", ("typedsignals_no_such_plugin",))
    results = bench.measure(tmp_path, [bench.VARIANTS[0], missing], 2, 1, runner=recorder)
    assert "typedsignals_no_such_plugin cannot be imported" in results["broken"].unavailable
    assert results["broken"].cold == []
    assert len(recorder.calls) == 4


# -- judging and reporting --------------------------------------------------------------


def _clean(seconds: float) -> bench.Run:
    return bench.Run(seconds, None, 0, "Success: no issues found\n")


def _measurement(
    variant: bench.Variant, cold: list[float], warm: list[list[float]]
) -> bench.Measurement:
    return bench.Measurement(
        variant,
        cold=[_clean(s) for s in cold],
        warm=[[_clean(s) for s in runs] for runs in warm],
    )


def _results(
    cold: tuple[list[float], list[float]], warm: tuple[list[list[float]], list[list[float]]]
) -> dict[str, bench.Measurement]:
    base, plugin = bench.VARIANTS[0], bench.VARIANTS[1]
    return {
        base.key: _measurement(base, cold[0], warm[0]),
        plugin.key: _measurement(plugin, cold[1], warm[1]),
    }


def _figure(results: Mapping[str, bench.Measurement], phase: str) -> bench.Figure:
    figures = bench.compare(results, bench.COMPARISONS[:1])
    return next(figure for figure in figures if figure.phase == phase)


def test_medians_and_their_ratio() -> None:
    """The cold figure is the ratio of the medians, not of the means or minimums."""
    results = _results(([2.0, 9.0, 2.2], [2.4, 2.3, 2.5]), ([[1.0]] * 3, [[1.0]] * 3))
    figure = _figure(results, "cold")
    assert (figure.base, figure.plugin) == (2.2, 2.4)
    assert figure.ratio == pytest.approx(2.4 / 2.2)


def test_warm_time_is_the_median_of_each_repetitions_warm_runs() -> None:
    """Warm runs are reduced to one median per repetition, then to the median of those."""
    results = _results(
        ([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]),
        ([[1.0, 5.0, 1.2], [0.9, 1.1, 1.0], [1.4, 1.3, 9.0]], [[1.0]] * 3),
    )
    assert results[bench.VARIANTS[0].key].seconds("warm") == [1.2, 1.0, 1.4]
    assert _figure(results, "warm").base == 1.2


def test_paired_ratio_is_the_median_of_each_repetitions_ratio() -> None:
    """``paired`` divides within each repetition, which cancels a drift across them."""
    results = _results(([1.0, 2.0, 4.0], [1.1, 2.8, 4.0]), ([[1.0]] * 3, [[1.0]] * 3))
    assert _figure(results, "cold").paired == pytest.approx(1.1)


@pytest.mark.parametrize(
    ("phase", "plugin", "verdict"),
    [("cold", 2.3, "pass"), ("cold", 2.31, "miss"), ("warm", 2.2, "pass"), ("warm", 2.21, "miss")],
)
def test_verdict_against_the_issues_bounds(phase: str, plugin: float, verdict: str) -> None:
    """At most 1.15x cold and 1.10x warm pass; anything above misses."""
    if phase == "cold":
        results = _results(([2.0], [plugin]), ([[2.0]], [[2.0]]))
    else:
        results = _results(([2.0], [2.0]), ([[2.0]], [[plugin]]))
    assert _figure(results, phase).verdict == verdict


def test_cpu_ratio_is_the_ratio_of_cpu_time_medians() -> None:
    """The ``cpu`` cross-check divides the medians of the children's CPU times."""
    results = _results(([2.0, 2.0, 2.0], [2.0, 2.0, 2.0]), ([[1.0]] * 3, [[1.0]] * 3))
    for measurement, cpu in zip(results.values(), ([1.0, 9.0, 1.2], [1.5, 1.5, 0.1])):
        measurement.cold = [bench.Run(2.0, seconds, 0, "") for seconds in cpu]
    assert _figure(results, "cold").cpu_ratio == pytest.approx(1.5 / 1.2)
    assert _figure(results, "cold").ratio == 1.0


def test_unknown_cpu_time_gives_no_cpu_ratio() -> None:
    """Where CPU time is not known (Windows), ``cpu`` is empty, and the verdict stands."""
    figure = _figure(_results(([2.0], [2.0]), ([[1.0]], [[1.0]])), "cold")
    assert (figure.cpu_ratio, figure.verdict) == (None, "pass")


def test_crashed_run_makes_the_figure_not_available() -> None:
    """A run where mypy itself failed (exit status 2) gives ``n/a``, not a ratio."""
    results = _results(([2.0], [2.0]), ([[1.0]], [[1.0]]))
    results[bench.VARIANTS[1].key].warm[0][0] = bench.Run(0.1, None, 2, "error: bad plugin\n")
    figure = _figure(results, "cold")
    assert (figure.verdict, figure.ratio) == ("n/a", None)
    assert "mypy exited with 2: error: bad plugin" in figure.reason


def test_notes_list_errors_and_warm_runs_that_differ() -> None:
    """Errors reported by mypy and warm diagnostics unlike the cold run's are noted."""
    results = _results(([2.0], [2.0]), ([[1.0]], [[1.0]]))
    plugin = results[bench.VARIANTS[1].key]
    plugin.cold[0] = bench.Run(2.0, None, 1, "m.py:1: error: boom\nFound 1 error\n")
    found = bench.notes(results)
    assert len(found) == 2
    assert "mypy reported errors in 1 of 1 cold runs" in found[0]
    assert "m.py:1: error: boom" in found[0]
    assert "1 warm runs printed other diagnostics" in found[1]


def _report(results: Mapping[str, bench.Measurement]) -> dict[str, Any]:
    settings = {"modules": 200, "seed": 0, "lines": 25000, "repeats": 1, "warm_runs": 1}
    machine = {
        "date": "2026-12-04 12:00 UTC",
        "platform": "Linux",
        "cpu": "Xeon",
        "cpu_count": 2,
        "python": "CPython 3.11.7",
        "load_average": "0.1 0.1 0.1",
    }
    versions = {"mypy": "1.11.0 (compiled: yes)", "pydantic": "2.9.0"}
    return bench._report(settings, machine, versions, results)


def test_report_names_targets_verdicts_and_versions() -> None:
    """The table lists each comparison's ratios with its bound and verdict, and the versions."""
    results = _results(([2.0], [2.1]), ([[1.0]], [[1.2]]))
    text = bench.render(_report(results))
    assert "mypy 1.11.0 (compiled: yes)" in text
    assert "CPython 3.11.7" in text
    lines = [line.split() for line in text.splitlines() if "/ no plugin" in line]
    assert [line[-7:] for line in lines] == [
        ["cold", "1.050x", "1.050x", "-", "<=", "1.15x", "PASS"],
        ["warm", "1.200x", "1.200x", "-", "<=", "1.10x", "MISS"],
    ]


def test_report_is_json() -> None:
    """The report, as written by ``--json``, survives a JSON round trip."""
    report = _report(_results(([2.0], [2.1]), ([[1.0]], [[1.2]])))
    assert json.loads(json.dumps(report)) == report


def test_missing_interpreter_leaves_only_the_plain_configuration(tmp_path: Path) -> None:
    """With no such ``--python``, plugin configurations are unavailable; mypy runs say why."""
    recorder = Recorder()
    results = bench.measure(
        tmp_path, bench.VARIANTS, 1, 1, python="/no/such/python", runner=recorder
    )
    unavailable = {key for key, m in results.items() if m.unavailable}
    assert unavailable == {v.key for v in bench.VARIANTS if v.plugins}
    assert "/no/such/python" in results["mypy+typedsignals"].unavailable
    assert {command[0] for command, _, _ in recorder.calls} == {"/no/such/python"}


def test_python_option_picks_the_interpreter_that_runs_mypy(tmp_path: Path) -> None:
    """``--python`` is the interpreter of every mypy run (here one without the plugins)."""
    recorder = Recorder()
    options = ["--modules", "4", "--repeats", "1", "--warm-runs", "1", "--quiet"]
    status = bench.main(
        [*options, "--python", "/no/such/python", "--keep", str(tmp_path)], recorder
    )
    assert status == 0
    assert [command[0] for command, _, _ in recorder.calls] == ["/no/such/python"] * 2


def test_too_few_modules_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``--modules 3`` stops with the minimum in the message, before running mypy."""
    with pytest.raises(SystemExit) as stopped:
        bench.main(["--modules", "3", "--quiet"], runner=Recorder())
    assert stopped.value.code == 2
    assert f"at least {corpus.MIN_MODULES} modules" in capsys.readouterr().err


# -- one real run, on a small corpus ------------------------------------------------------


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One real ``python -m benchmarks.mypy_plugin`` on a small corpus, shared below."""
    out = tmp_path_factory.mktemp("mypy-bench") / "results.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-m",
            "benchmarks.mypy_plugin",
            "--modules",
            str(SMALL),
            "--repeats",
            "1",
            "--warm-runs",
            "1",
            "--quiet",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["stdout"] = completed.stdout
    return data


@pytest.mark.parametrize("variant", bench.VARIANTS, ids=[v.key for v in bench.VARIANTS])
def test_small_corpus_is_clean_under_strict_mypy(
    small_run: dict[str, Any], variant: bench.Variant
) -> None:
    """mypy --strict finds no error in the corpus, with and without each plugin."""
    data = small_run["variants"][variant.key]
    assert data["unavailable"] == ""
    outputs = [run["output"] for run in [*data["cold"], *data["warm"][0]]]
    assert [run["returncode"] for run in [*data["cold"], *data["warm"][0]]] == [0, 0], outputs
    assert all(output.startswith("Success: no issues found") for output in outputs), outputs


def test_small_run_compares_both_rows_in_both_phases(small_run: dict[str, Any]) -> None:
    """The real run gives a ratio for each comparison, cold and warm, and notes nothing."""
    figures = [(f["base"], f["plugin"], f["phase"]) for f in small_run["figures"]]
    assert figures == [
        (c.base, c.plugin, phase) for c in bench.COMPARISONS for phase in bench.PHASES
    ]
    assert all(f["ratio"] is not None and f["ratio"] > 0 for f in small_run["figures"])
    assert small_run["notes"] == []
