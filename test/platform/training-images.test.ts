import { Template } from 'aws-cdk-lib/assertions';
import { platformApp, templatesByRegion } from '../support/platform-app';

describe('the platform\'s training-image repository', () => {
  test('has a lifecycle policy: untagged images expire after 14 days, the newest 200 images are kept', () => {
    const template: Template = templatesByRegion(platformApp(['us-east-1'])).get('us-east-1')!;
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository')) as Array<{ Properties: { LifecyclePolicy: { LifecyclePolicyText: string } } }>;
    const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countNumber: 14, countUnit: 'days' }, action: { type: 'expire' } }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 200 }, action: { type: 'expire' } }),
    ]);
  });
});
