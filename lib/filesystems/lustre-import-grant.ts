import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeFinding, nagResourceText } from '../nag/acknowledge';
import { DatasetFileSystemType, type IDatasetFileSystem } from './dataset-file-system';

/** The FSx for Lustre file system id when `fileSystem` is one, else undefined. */
export function lustreFileSystemIdOf(fileSystem: IDatasetFileSystem | undefined): string | undefined {
  return fileSystem?.fileSystemType === DatasetFileSystemType.FSX_LUSTRE ? fileSystem.fileSystemId : undefined;
}

/**
 * Lets `role` import a dataset version onto the file system before its pointer moves:
 * `fsx:CreateDataRepositoryTask` on this file system (and the task it creates: the permissions table
 * lists both the file-system and the task resource), `fsx:DescribeDataRepositoryTasks` on tasks
 * (it authorizes against the task resource, not the file system). No other file system, no tags.
 */
export function grantLustreImport(role: iam.IRole, scope: Stack, fileSystemId: string): void {
  const fileSystemArn = scope.formatArn({ service: 'fsx', resource: 'file-system', resourceName: fileSystemId });
  const taskArns = scope.formatArn({ service: 'fsx', resource: 'task', resourceName: '*' });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'ImportVersionsOntoLustre',
    actions: ['fsx:CreateDataRepositoryTask'],
    resources: [fileSystemArn, taskArns],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'WatchLustreImports',
    actions: ['fsx:DescribeDataRepositoryTasks'],
    resources: [taskArns],
  }));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(scope, taskArns)}]`,
      'Data repository task ids are assigned by FSx when the task is created, so no narrower ARN exists; creating one is only allowed on the dataset file system.');
  }
}
