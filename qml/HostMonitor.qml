// The host's monitor (a second screen): the program, the question on air in
// large type with who asked, the next three approved questions, the show's
// elapsed and remaining time, and the producer's latest cue, impossible to
// miss. The same view is served as the web page /host/.
import QtQuick
import QtQuick.Layouts
import QtQuick.Window
import Yishiting 1.0
import "components"

Window {
    id: monitor
    objectName: "hostMonitor"
    title: qsTr("议事厅演播室 · 主持人提词")
    width: 1280
    height: 720
    visible: true
    color: "#0a0c0f"

    readonly property var show: studio.status.show || ({})
    readonly property var onAir: studio.onAir
    readonly property var next: studio.approved.slice(0, 3)
    readonly property double elapsed: show.timeline_ms || 0
    readonly property double planned: (show.duration_min || 0) * 60000

    // A new cue flashes for a few seconds.
    property bool cueFresh: false
    Connections {
        target: studio
        function onCueChanged() {
            monitor.cueFresh = true
            cueTimer.restart()
        }
    }
    Timer {
        id: cueTimer
        interval: 8000
        onTriggered: monitor.cueFresh = false
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 14

        // The cue.
        Rectangle {
            objectName: "hostCue"
            Layout.fillWidth: true
            visible: !!studio.cue.text
            implicitHeight: cueText.implicitHeight + 24
            radius: 8
            color: monitor.cueFresh ? Style.gold : "#3a2f14"
            Behavior on color { ColorAnimation { duration: 400 } }
            Text {
                id: cueText
                objectName: "hostCueText"
                anchors.centerIn: parent
                width: parent.width - 32
                horizontalAlignment: Text.AlignHCenter
                text: studio.cue.text || ""
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: monitor.cueFresh ? "#1a1200" : Style.gold
                font.family: Style.family
                font.pixelSize: 40
                font.bold: true
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 16

            // The program at 16:9, as large as the column allows above the
            // clock, in every state. Sized here, not by a layout: a
            // ColumnLayout with the tile's height bound to its own width
            // stayed at its implicit height and squeezed the picture to a
            // strip (100 px high at 1280×720 without a planned length).
            Item {
                id: programColumn
                objectName: "hostProgramColumn"
                Layout.preferredWidth: 4
                Layout.fillWidth: true
                Layout.fillHeight: true
                VideoTile {
                    id: programTile
                    width: Math.max(0, Math.min(programColumn.width,
                                                widthFor(programColumn.height - clock.height - 12)))
                    height: heightFor(width)
                    tap: "program"
                    label: qsTr("播出画面")
                    tally: "program"
                    sourceState: ""
                    large: true
                }
                // The clock.
                RowLayout {
                    id: clock
                    objectName: "hostClock"
                    y: programTile.height + 12
                    width: programColumn.width
                    spacing: 30
                    Column {
                        Text { text: qsTr("已进行"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: 18 }
                        Text {
                            objectName: "hostElapsed"
                            text: studio.timecode(monitor.elapsed)
                            textFormat: Text.PlainText
                            color: Style.text
                            font.family: Style.family
                            font.pixelSize: 44
                            font.bold: true
                        }
                    }
                    Column {
                        visible: monitor.planned > 0
                        Text { text: qsTr("剩余"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: 18 }
                        Text {
                            objectName: "hostRemaining"
                            text: (monitor.elapsed > monitor.planned ? "−" : "")
                                  + studio.timecode(Math.abs(monitor.planned - monitor.elapsed))
                            textFormat: Text.PlainText
                            color: monitor.planned - monitor.elapsed < 60000 ? Style.program
                                 : monitor.planned - monitor.elapsed < 300000 ? Style.warning : Style.text
                            font.family: Style.family
                            font.pixelSize: 44
                            font.bold: true
                        }
                    }
                    Item { Layout.fillWidth: true }
                }
            }

            ColumnLayout {
                Layout.preferredWidth: 5
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: 12
                Rectangle {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    radius: 8
                    color: monitor.onAir.id ? "#1d0d0f" : "#15181c"
                    border.width: 2
                    border.color: monitor.onAir.id ? Style.program : Style.line
                    Column {
                        anchors.fill: parent
                        anchors.margins: 22
                        spacing: 14
                        Text {
                            text: monitor.onAir.id ? qsTr("正在回答的网友提问") : qsTr("暂无上屏提问")
                            textFormat: Text.PlainText
                            color: monitor.onAir.id ? Style.program : Style.muted
                            font.family: Style.family
                            font.pixelSize: 22
                            font.bold: true
                        }
                        Text {
                            objectName: "hostOnAirText"
                            width: parent.width
                            visible: !!monitor.onAir.id
                            text: monitor.onAir.text || ""
                            textFormat: Text.PlainText
                            wrapMode: Text.Wrap
                            color: "white"
                            font.family: Style.family
                            font.pixelSize: 38
                            lineHeight: 1.2
                        }
                        Text {
                            objectName: "hostAsker"
                            width: parent.width
                            visible: !!monitor.onAir.id
                            text: "—— " + (monitor.onAir.nickname || qsTr("网友"))
                                  + (monitor.onAir.observer ? "  " + qsTr("市民观察员 · %1").arg(monitor.onAir.observer) : "")
                            textFormat: Text.PlainText
                            color: Style.gold
                            font.family: Style.family
                            font.pixelSize: 24
                        }
                    }
                }
                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: nextColumn.implicitHeight + 24
                    radius: 8
                    color: "#15181c"
                    border.color: Style.line
                    Column {
                        id: nextColumn
                        x: 16
                        y: 12
                        width: parent.width - 32
                        spacing: 8
                        Text {
                            text: monitor.next.length > 0 ? qsTr("接下来") : qsTr("队列中没有提问")
                            textFormat: Text.PlainText
                            color: Style.muted
                            font.family: Style.family
                            font.pixelSize: 18
                            font.bold: true
                        }
                        Repeater {
                            model: monitor.next.length
                            delegate: Text {
                                required property int index
                                readonly property var modelData: monitor.next[index] || ({})
                                objectName: "hostNext" + index
                                width: nextColumn.width
                                text: (index + 1) + ". " + modelData.text + "  —— " + (modelData.nickname || qsTr("网友"))
                                textFormat: Text.PlainText
                                wrapMode: Text.Wrap
                                maximumLineCount: 2
                                elide: Text.ElideRight
                                color: Style.text
                                font.family: Style.family
                                font.pixelSize: 22
                            }
                        }
                    }
                }
            }
        }
    }
}
