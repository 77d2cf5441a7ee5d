from alembic import context

from naloxone_kernel.migrations import run_env

run_env(context)
