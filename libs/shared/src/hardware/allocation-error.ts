import { AppError, resourceExhausted } from '../errors';

/**
 * Messages ONNX Runtime and the GPU stacks use when memory runs out: CUDA ("out of memory",
 * cudaErrorMemoryAllocation, CUBLAS_STATUS_ALLOC_FAILED), ORT's arena ("Failed to allocate memory",
 * "BFCArena … Available memory of … is smaller than requested bytes"), C++ (std::bad_alloc), HIP and
 * WebGPU/Dawn ("OutOfMemory").
 */
const ALLOCATION_FAILURE =
  /out of memory|\bOOM\b|outofmemory|memory ?allocation|alloc(ation)?[ _]fail|failed to allocate|bad_alloc|smaller than requested bytes|insufficient (device )?memory|hipErrorOutOfMemory|cudaErrorMemoryAllocation/i;

/** True when an error means "not enough memory" (step down), as opposed to a broken model or file (fail). */
export function isAllocationError(err: unknown): boolean {
  if (err instanceof AppError && err.code === 'RESOURCE_EXHAUSTED') return true;
  const message = err instanceof Error ? err.message : String(err);
  return ALLOCATION_FAILURE.test(message);
}

/** The error to throw when memory ran out, keeping the original text for the logs. */
export function allocationFailure(what: string, err: unknown): AppError {
  const message = err instanceof Error ? err.message : String(err);
  return resourceExhausted(`out of memory while ${what}: ${message.split('\n')[0]}`);
}
