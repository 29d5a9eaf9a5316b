import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider, type LoaderFunctionArgs } from 'react-router';
import { session } from './auth/session';
import { ApiError } from './api/client';
import { Layout } from './components/Layout';
import { NotFound, RouteError } from './components/NotFound';
import { BASE_PATH, ROUTES } from './routes';

const client = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again; network blips and 5xx get one more try.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
      refetchOnWindowFocus: true,
      staleTime: 5_000,
    },
  },
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
});

const router = createBrowserRouter(
  [
    {
      path: '/',
      element: <Layout />,
      errorElement: <RouteError />,
      hydrateFallbackElement: <p className="loading">Loading…</p>,
      children: [
        ...ROUTES.map((r) => ({
          ...(r.path === '' ? { index: true as const } : { path: r.path }),
          lazy: async () => ({ Component: (await r.page()).default }),
          // The router runs a loader beside `lazy`: the page's requests start with its code.
          loader: ({ params, request }: LoaderFunctionArgs) => {
            if (session.apiKey()) {
              r.prefetch?.({ params, search: new URL(request.url).searchParams, client });
            }
            return null;
          },
        })),
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: BASE_PATH },
);

export function App() {
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
