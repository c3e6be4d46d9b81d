"""The big screen opened with a link's token (/screen/<token>/), without signing in: GET only."""

from django.urls import path

from kiosk import screen

app_name = "screen"
urlpatterns = [
    path("<str:token>/", screen.show, name="show"),
    path("<str:token>/data.json", screen.data, name="data"),
    path("<str:token>/cards.json", screen.cards, name="cards"),
    path("<str:token>/projects.geojson", screen.map_data, name="map_data"),
    path("<str:token>/photos/<int:pk>.jpg", screen.photo, name="photo"),
]
