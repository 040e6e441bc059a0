import { DescribeManagedPrefixListsCommand, type EC2Client, type ManagedPrefixList } from '@aws-sdk/client-ec2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceOutcome } from './cloudformation-response';

/**
 * The names the AWS-managed S3 prefix list has in `region`: like the gateway service
 * (`com.amazonaws.<region>.s3`) in commercial regions; one public source gives
 * `cn.com.amazonaws.<region>.s3` in China, so both are asked for.
 */
export function s3PrefixListNames(region: string): string[] {
  return [`com.amazonaws.${region}.s3`, `cn.com.amazonaws.${region}.s3`];
}

/** The one prefix list among `found`; anything but exactly one is an error that names what was looked for and found. */
export function singleS3PrefixList(names: string[], found: ManagedPrefixList[]): string {
  if (found.length !== 1 || !found[0].PrefixListId) {
    const seen = found.map((list) => list.PrefixListName ?? list.PrefixListId);
    throw new Error(`expected exactly one AWS-managed S3 prefix list named ${names.join(' or ')}, found ${seen.length ? seen.join(', ') : 'none'}.`);
  }
  return found[0].PrefixListId;
}

/** Asks EC2 for the region's AWS-owned S3 prefix list, page by page. */
export async function findS3PrefixListId(ec2: EC2Client, region: string): Promise<string> {
  const names = s3PrefixListNames(region);
  const found: ManagedPrefixList[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeManagedPrefixListsCommand({
      Filters: [{ Name: 'prefix-list-name', Values: names }, { Name: 'owner-id', Values: ['AWS'] }],
      NextToken: nextToken,
    }));
    found.push(...page.PrefixLists ?? []);
    nextToken = page.NextToken;
  } while (nextToken);
  return singleS3PrefixList(names, found);
}

/**
 * `Custom::S3PrefixList`: Create and Update look the id up (the physical id and the
 * `PrefixListId` attribute); Delete has nothing to remove.
 */
export function s3PrefixListWork(ec2: EC2Client, region: string) {
  return async (event: CloudFormationCustomResourceEvent): Promise<CustomResourceOutcome> => {
    if (event.RequestType === 'Delete') {
      return { physicalResourceId: event.PhysicalResourceId };
    }
    const id = await findS3PrefixListId(ec2, region);
    return { physicalResourceId: id, data: { PrefixListId: id } };
  };
}
