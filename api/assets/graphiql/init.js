// Starts GraphiQL against this server: queries and mutations over POST /graphql, subscriptions
// over /graphql/ws. Every asset comes from this server, so the page works on an intranet.
(function () {
  var wsUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql/ws';
  var fetcher = GraphiQL.createFetcher({
    url: '/graphql',
    wsClient: graphqlWs.createClient({ url: wsUrl, lazy: true }),
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true })
  );
})();
