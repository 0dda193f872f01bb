#!/usr/bin/env bash
# forensic nightly on Slurm: an array of N tasks, each indexing its share of the new footage
# (forensic reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) into shard day files; then a
# job that starts after all of them folds the shards in. Submit from cron on the login node:
#   30 1 * * * sbatch --parsable /srv/forensic/slurm-nightly.sh | xargs -I{} sbatch --dependency=afterany:{} --wrap "forensic nightly /srv/forensic/index --merge --summary"
#SBATCH --job-name=forensic-nightly
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=05:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --output=/srv/forensic/logs/nightly-%A-%a.out
set -euo pipefail
# exec: SIGTERM from Slurm reaches forensic, which saves what it finished (exit 4; the next night completes it).
exec forensic nightly /srv/forensic/index --workers "${SLURM_CPUS_PER_TASK:-8}" --summary
