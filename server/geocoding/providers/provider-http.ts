import axios, { type AxiosRequestConfig, isAxiosError } from 'axios';

/** A provider call that failed; `transient` ones (network, timeout, 429, 5xx) trip the breaker and fall back. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number,
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/**
 * One HTTP call to a provider. The URL may hold an API key (Yandex takes it as a parameter):
 * it never goes into an error message.
 */
export async function providerRequest<T>(provider: string, config: AxiosRequestConfig): Promise<T> {
  let response;
  try {
    response = await axios.request({ ...config, validateStatus: () => true, maxRedirects: 0 });
  } catch (error) {
    const code = isAxiosError(error) ? (error.code ?? 'network error') : 'network error';
    throw new ProviderError(provider, 0, true, `${provider} could not be reached (${code})`);
  }
  if (response.status >= 200 && response.status < 300) return response.data as T;
  const transient = response.status === 429 || response.status >= 500;
  throw new ProviderError(provider, response.status, transient, `${provider} answered ${response.status}`);
}
