"""Encoder libraries that PyAV's wheel vendors and the worker never opens, replaced by small stubs.

The worker decodes video and audio and encodes only MJPEG keyframes (FFmpeg's own encoder). PyAV's wheel
links libavcodec against x265 and SVT-AV1 (26 MB of the worker asset's 169 MB); they cannot simply be
deleted, since libavcodec lists them as NEEDED and would not load. Each is replaced by a stub of the same
file name and soname that exports exactly the symbols the other vendored libraries import from it, each
failing as the real library does when it cannot work (x265_api_get: NULL, "libx265 not available";
SVT-AV1's calls: EB_ErrorInsufficientResources), so opening one of those encoders is an error, never a
crash. Built with the system C compiler; without one the real libraries stay (the cache key says which).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# glob under the dependency tree -> (what it is, what each stubbed function returns, as a C expression)
STUBBED_LIBRARIES: dict[str, tuple[str, str]] = {
    "av.libs/libx265-*.so*": ("the x265 HEVC encoder", "0"),  # x265_api_get: NULL
    "av.libs/libSvtAv1Enc-*.so*": ("the SVT-AV1 encoder", "(long)0x80001000"),  # EB_ErrorInsufficientResources
}


def compiler() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


def _dynamic_symbols(library: Path, *, defined: bool) -> set[str]:
    flag = "--defined-only" if defined else "--undefined-only"
    listed = subprocess.run(["nm", "-D", flag, str(library)], capture_output=True, text=True, check=True)
    return {line.split()[-1].split("@")[0] for line in listed.stdout.splitlines() if line.strip()}


def _soname(library: Path) -> str:
    dynamic = subprocess.run(["readelf", "-d", str(library)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dynamic)
    return match.group(1) if match else library.name


def stub_unused_libraries(site_dir: Path) -> list[str]:
    """Replace each STUBBED_LIBRARIES match in `site_dir` by its stub; returns the names replaced."""
    cc = compiler()
    if cc is None or not (shutil.which("nm") and shutil.which("readelf")):
        return []
    replaced = []
    for pattern, (_, failure) in STUBBED_LIBRARIES.items():
        for library in site_dir.glob(pattern):
            siblings = [p for p in library.parent.iterdir() if p != library and ".so" in p.name]
            siblings += [p for p in site_dir.rglob("*.so") if library.parent not in p.parents]
            wanted: set[str] = set()
            for sibling in siblings:
                wanted |= _dynamic_symbols(sibling, defined=False)
            symbols = sorted(_dynamic_symbols(library, defined=True) & wanted)
            source = "".join(f"long {name}(void) {{ return {failure}; }}\n" for name in symbols)
            with tempfile.TemporaryDirectory(prefix="stub-") as tmp:
                c_file, built = Path(tmp) / "stub.c", Path(tmp) / library.name
                c_file.write_text(source or "int lifestream_stub;\n")
                subprocess.run(
                    [cc, "-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{_soname(library)}"]
                    + ["-o", str(built), str(c_file)],
                    check=True,
                    capture_output=True,
                )
                built.replace(library)
            replaced.append(library.name)
    return replaced
