/**
 * The kube plan of a stack, shared by `up` and `up --dry-run`: the stack model with image refs,
 * the rendered objects, the chart services' helm plans (ui/kube-dry-run.ts shows it redacted).
 */
import path from 'node:path';
import { chartOf, chartPlan, type ChartPlan } from '../../kube/chart.js';
import { renderStack, type Manifest } from '../../kube/manifests.js';
import { checkServiceNames, namespaceOf } from '../../kube/names.js';
import { stackModel, type StackModel } from '../../stack/model.js';
import type { StackConfig } from '../../../spec/stack/index.js';
import { STACK_FILE } from '../../../spec/stack/index.js';
import type { ProjectReader } from '../../project/workspace.js';
import { readBoundFiles, readChartValues } from './files.js';

export interface KubePlan {
  model: StackModel;
  namespace: string;
  objects: Manifest[];
  warnings: string[];
  charts: ChartPlan[];
}

export async function kubePlan(reader: ProjectReader, config: StackConfig, refs: ReadonlyMap<string, string>, secretValues: ReadonlyMap<string, string>, pullPolicy: 'IfNotPresent' | 'Never' = 'IfNotPresent'): Promise<KubePlan> {
  const chartServices = config.services.filter((s) => chartOf(s));
  checkServiceNames(config.services.filter((s) => !chartOf(s)).map((s) => s.name), config.file ?? STACK_FILE);
  const model = stackModel(config, refs);
  const namespace = namespaceOf(config.project);
  const charts: ChartPlan[] = [];
  for (const service of model.services) {
    const chart = chartOf(service);
    if (!chart) continue;
    const chartValues = await readChartValues(reader, service.name, chart);
    charts.push(chartPlan(service, chart, { chartValues, secretValues, resolve: (p) => path.resolve(reader.root, p) }));
  }
  const skip = new Set(chartServices.map((s) => s.name));
  const boundFiles = await readBoundFiles(reader, config, skip);
  const { objects, warnings } = renderStack(model, { namespace, secretValues, boundFiles, chartServices: skip, pullPolicy });
  return { model, namespace, objects, warnings, charts };
}

