import os

from hypothesis import HealthCheck, settings

# Property tests: no per-example deadline (shared CI machines are noisy); in CI
# the examples are derandomized so a red run can be reproduced exactly.
settings.register_profile("dev", deadline=None)
settings.register_profile(
    "ci", deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
