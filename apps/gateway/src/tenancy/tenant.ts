export type Plan = 'free' | 'pro' | 'enterprise';

export interface Tenant {
  id: string;
  plan: Plan;
  maxStreams: number;
}
