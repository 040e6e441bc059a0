import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetFileSystemType } from '../../lib';
import { CLUSTER_SETTINGS_FILE, ClusterSettings, lifecycleScriptsDirectory, renderClusterSettings } from '../../lib/hyperpod/lifecycle-scripts';
import { SHELLCHECK, describeWithTool } from '../support/external-tool';

const SCRIPTS = lifecycleScriptsDirectory();
const LUSTRE_DNS = 'fs-0123456789abcdef0.fsx.us-east-1.amazonaws.com';
const EFS_DNS = 'fs-0123456789abcdef0.efs.us-east-1.amazonaws.com';

const LUSTRE: ClusterSettings = {
  fileSystemType: DatasetFileSystemType.FSX_LUSTRE,
  dnsName: LUSTRE_DNS,
  lustreMountName: 'abcdefgh',
  datasetMountPath: '/fsx',
  resultsFileSystemPath: '/results',
  resultsMountPath: '/results',
  mountAttempts: 5,
  mountRetryDelaySeconds: 15,
};
const EFS: ClusterSettings = { fileSystemType: DatasetFileSystemType.EFS, dnsName: EFS_DNS, datasetMountPath: '/fsx', mountAttempts: 3, mountRetryDelaySeconds: 15 };

/**
 * Stubs for the commands that touch the machine. Each logs its arguments to commands.log; `mount`
 * fails the first $FAIL_MOUNTS calls (all with FAIL_MOUNTS=always) and otherwise marks the target
 * mounted, which `mountpoint -q` then reports.
 */
const STUBS: Record<string, string> = {
  mount: `
count_file="$SANDBOX/mount-calls"; count=$(( $(cat "$count_file" 2>/dev/null || echo 0) + 1 )); echo "$count" > "$count_file"
if [[ "\${FAIL_MOUNTS:-0}" == always ]] || (( count <= \${FAIL_MOUNTS:-0} )); then echo "mount.lustre: mount failed: Input/output error" >&2; exit 32; fi
target="\${*: -1}"; mkdir -p "$SANDBOX/mounted"; touch "$SANDBOX/mounted/$(printf '%s' "$target" | tr / _)"`,
  mountpoint: 'target="${*: -1}"; [[ -e "$SANDBOX/mounted/$(printf \'%s\' "$target" | tr / _)" ]]',
  modprobe: '[[ -z "${FAIL_MODPROBE:-}" ]]',
  lfs: 'echo "UUID 1K-blocks Used Available Use% Mounted on"',
  systemctl: 'true',
  'mount.lustre': 'true',
};

interface Run {
  readonly status: number;
  readonly stderr: string;
  readonly commands: string[];
  readonly fstab: string;
  readonly provisioningLog: string;
  readonly fileSystemLog: string;
  readonly root: string;
}

function sandbox(settings: ClusterSettings | undefined, fstab?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'hyperpod-lifecycle-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(STUBS)) {
    const file = join(bin, name);
    writeFileSync(file, `#!/usr/bin/env bash\necho "${name} $*" >> "$SANDBOX/commands.log"\n${body}\n`);
    chmodSync(file, 0o755);
  }
  const scripts = join(dir, 'scripts');
  cpSync(SCRIPTS, scripts, { recursive: true });
  if (settings) writeFileSync(join(scripts, CLUSTER_SETTINGS_FILE), renderClusterSettings(settings));
  const root = join(dir, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  if (fstab !== undefined) writeFileSync(join(root, 'etc', 'fstab'), fstab);
  const run = (env: Record<string, string> = {}): Run => {
    const result = spawnSync('bash', [join(scripts, 'on_create.sh')], {
      encoding: 'utf8',
      env: { ...process.env, ...env, SANDBOX: dir, HYPERPOD_ROOT: root, HYPERPOD_MOUNT_RETRY_DELAY_SECONDS: '0', PATH: `${bin}:${process.env.PATH}` },
    });
    const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    return {
      status: result.status ?? -1,
      stderr: result.stderr,
      commands: read(join(dir, 'commands.log')).split('\n').filter((line) => line.length > 0).map((line) => line.split(root).join('<root>')),
      fstab: read(join(root, 'etc', 'fstab')),
      provisioningLog: read(join(root, 'var', 'log', 'provision', 'provisioning.log')),
      fileSystemLog: read(join(root, 'var', 'log', 'provision', 'dataset-file-system.log')),
      root,
    };
  };
  return { dir, run, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('lifecycle scripts in a sandbox (stubbed mount, mountpoint, modprobe, lfs, systemctl)', () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.forEach((cleanup) => cleanup()));
  const start = (settings: ClusterSettings | undefined, fstab?: string) => {
    const box = sandbox(settings, fstab);
    cleanups.push(box.cleanup);
    return box;
  };

  test('FSx for Lustre: datasets read-only at /fsx, results read-write at /results, with fstab lines', () => {
    const result = start(LUSTRE, '# static\nUUID=abc / ext4 defaults 0 1\n').run();
    expect(result.status).toBe(0);
    expect(result.commands).toEqual([
      'modprobe lustre',
      'mountpoint -q <root>/fsx',
      `mount -t lustre -o ro,noatime,flock ${LUSTRE_DNS}@tcp:/abcdefgh <root>/fsx`,
      'mountpoint -q <root>/fsx',
      'lfs df -h <root>/fsx',
      'mountpoint -q <root>/results',
      `mount -t lustre -o rw,noatime,flock ${LUSTRE_DNS}@tcp:/abcdefgh/results <root>/results`,
      'mountpoint -q <root>/results',
      'systemctl daemon-reload',
    ]);
    expect(result.fstab).toBe([
      '# static',
      'UUID=abc / ext4 defaults 0 1',
      `${LUSTRE_DNS}@tcp:/abcdefgh /fsx lustre ro,noatime,flock,_netdev 0 0`,
      `${LUSTRE_DNS}@tcp:/abcdefgh/results /results lustre rw,noatime,flock,_netdev 0 0`,
      '',
    ].join('\n'));
    expect(existsSync(join(result.root, 'fsx'))).toBe(true);
    expect(existsSync(join(result.root, 'results'))).toBe(true);
    expect(result.fileSystemLog).toMatch(/mounted .*@tcp:\/abcdefgh at \/fsx \(ro,noatime,flock\), attempt 1 of 5/);
    expect(result.provisioningLog).toMatch(/on_create: done\n$/);
  });

  test('a rerun keeps one fstab line per mount point and leaves mounted file systems alone', () => {
    const box = start(LUSTRE);
    const first = box.run();
    const second = box.run();
    expect(second.status).toBe(0);
    expect(second.fstab).toBe(first.fstab);
    expect(second.fstab.split('\n').filter((line) => line.includes(' /fsx '))).toHaveLength(1);
    expect(second.fileSystemLog).toMatch(/\/fsx is already mounted; leaving it as it is/);
    expect(second.commands.filter((line) => line.startsWith('mount '))).toHaveLength(2); // only the first run's two mounts
  });

  test('an old fstab line for the mount point is replaced, not duplicated', () => {
    const result = start(LUSTRE, 'old@tcp:/zzz /fsx lustre rw 0 0\n').run();
    expect(result.fstab).not.toMatch(/old@tcp/);
    expect(result.fstab.split('\n').filter((line) => line.includes(' /fsx '))).toHaveLength(1);
  });

  test('without a results directory only the datasets are mounted', () => {
    const result = start({ ...LUSTRE, resultsFileSystemPath: undefined, resultsMountPath: undefined }).run();
    expect(result.status).toBe(0);
    expect(result.commands.filter((line) => line.startsWith('mount '))).toEqual([`mount -t lustre -o ro,noatime,flock ${LUSTRE_DNS}@tcp:/abcdefgh <root>/fsx`]);
    expect(result.fstab.trim().split('\n')).toHaveLength(1);
  });

  test('a mount that fails twice is retried and succeeds on the third attempt', () => {
    const result = start(LUSTRE).run({ FAIL_MOUNTS: '2' });
    expect(result.status).toBe(0);
    expect(result.commands.filter((line) => line.startsWith('mount -t lustre -o ro'))).toHaveLength(3);
    expect(result.fileSystemLog).toMatch(/failed \(attempt 1 of 5\)[\s\S]*failed \(attempt 2 of 5\)[\s\S]*attempt 3 of 5/);
  });

  test('a mount that never succeeds fails the node with the reason in the node log', () => {
    const result = start(LUSTRE).run({ FAIL_MOUNTS: 'always' });
    expect(result.status).toBe(1);
    expect(result.commands.filter((line) => line.startsWith('mount '))).toHaveLength(5);
    expect(result.fileSystemLog).toMatch(new RegExp(`ERROR: could not mount ${LUSTRE_DNS.replace(/\./g, '\\.')}@tcp:/abcdefgh at /fsx after 5 attempts\\. ` +
      'Check that the cluster\'s security group and the file system\'s allow TCP 988 and 1018-1023 in both directions'));
    expect(result.provisioningLog).toMatch(/FAILED: the dataset file system could not be mounted; the cause is in \/var\/log\/provision\/dataset-file-system.log\n$/);
    expect(result.commands).not.toContain('systemctl daemon-reload');
  });

  test('a missing Lustre kernel module fails before any mount', () => {
    const result = start(LUSTRE).run({ FAIL_MODPROBE: '1' });
    expect(result.status).toBe(1);
    expect(result.fileSystemLog).toMatch(/ERROR: cannot load the lustre kernel module/);
    expect(result.commands.filter((line) => line.startsWith('mount '))).toEqual([]);
  });

  test('EFS: NFS 4.1 on port 2049 with the recommended options, read-only, no Lustre', () => {
    const result = start(EFS).run();
    expect(result.status).toBe(0);
    const options = 'ro,nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,port=2049';
    expect(result.commands).toEqual([
      'mountpoint -q <root>/fsx',
      `mount -t nfs4 -o ${options} ${EFS_DNS}:/ <root>/fsx`,
      'mountpoint -q <root>/fsx',
      'systemctl daemon-reload',
    ]);
    expect(result.fstab).toBe(`${EFS_DNS}:/ /fsx nfs4 ${options},_netdev 0 0\n`);
  });

  test('EFS mount failures name port 2049 and the mount targets', () => {
    const result = start(EFS).run({ FAIL_MOUNTS: 'always' });
    expect(result.status).toBe(1);
    expect(result.commands.filter((line) => line.startsWith('mount '))).toHaveLength(3);
    expect(result.fileSystemLog).toMatch(/after 3 attempts\. Check that the file system's mount targets admit the cluster's security group on TCP 2049/);
  });

  test('a missing settings file fails with a message that says so', () => {
    const result = start(undefined).run();
    expect(result.status).toBe(1);
    expect(result.fileSystemLog).toMatch(/the generated settings file .*cluster.env is missing/);
  });

  test('a settings file without a required value names it', () => {
    const result = start({ ...LUSTRE, lustreMountName: undefined }).run();
    expect(result.status).toBe(1);
    expect(result.fileSystemLog).toMatch(/LUSTRE_MOUNT_NAME is not set in .*cluster.env\. The file is generated by the HyperPodCluster construct/);
  });
});

describe('generated settings', () => {
  test('one quoted NAME=value line per setting, optional ones left out', () => {
    expect(renderClusterSettings(EFS)).toBe([
      '# Generated by the cdk-sagemaker-datasets HyperPodCluster construct at deployment. Do not edit: redeploy.',
      "FILE_SYSTEM_TYPE='efs'",
      `FILE_SYSTEM_DNS_NAME='${EFS_DNS}'`,
      "DATASET_MOUNT_PATH='/fsx'",
      "MOUNT_ATTEMPTS='3'",
      "MOUNT_RETRY_DELAY_SECONDS='15'",
      '',
    ].join('\n'));
  });

  test('a value with a single quote is refused', () => {
    expect(() => renderClusterSettings({ ...EFS, datasetMountPath: "/fsx'x" })).toThrow(/DATASET_MOUNT_PATH "\/fsx'x" contains a single quote/);
  });
});

describeWithTool(SHELLCHECK, 'lifecycle scripts: shellcheck', () => {
  test('every script passes shellcheck', () => {
    const scripts = readdirSync(SCRIPTS).filter((file) => file.endsWith('.sh'));
    expect(scripts.sort()).toEqual(['mount_datasets.sh', 'on_create.sh']);
    const result = spawnSync('shellcheck', ['--severity=style', '--shell=bash', ...scripts], { cwd: SCRIPTS, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
