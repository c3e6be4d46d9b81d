from django.urls import path

from figures import screen_cards, views, views_screen

app_name = "figures"
urlpatterns = [
    path("data/<slug:chart>.xlsx", views.chart_data, name="chart_data"),
    path("card/<slug:name>/", views.section_card, name="card"),
    path("screen/", views_screen.bigscreen, name="bigscreen"),
    path("screen/data.json", views_screen.bigscreen_data, name="bigscreen_data"),
    path("screen/cards.json", screen_cards.bigscreen_cards, name="bigscreen_cards"),
    path("map/", views_screen.project_map, name="map"),
    path("map/projects.geojson", views_screen.map_data, name="map_data"),
]
