// One picture with its tally: a source in the multiview, or the large
// preview and program views. The border is red while the picture is on
// air, green while it is in preview.
import QtQuick
import Yishiting 1.0

Rectangle {
    id: tile
    property string tap
    property string label
    property string sourceState: "live"
    property string tally: ""      // "program" | "preview" | ""
    property string keyHint: ""
    property var level: null       // {peak_db: [..], rms_db: [..]}
    property string note: ""       // at the right of the label (the program's loudness)
    property bool large: false
    readonly property bool live: picture.live
    signal activated()

    color: "black"
    radius: 3
    border.width: tally !== "" ? 3 : 1
    border.color: tally === "program" ? Style.program : tally === "preview" ? Style.preview : Style.line

    // The picture above its label bar: nothing of the frame is hidden.
    readonly property real labelHeight: large ? 30 : 24
    // The tile's height for a width, and width for a height, that make the
    // picture inside its border exactly 16:9.
    function heightFor(tileWidth) {
        return (tileWidth - 2 * border.width) * 9 / 16 + labelHeight + 2 * border.width
    }
    function widthFor(tileHeight) {
        return (tileHeight - labelHeight - 2 * border.width) * 16 / 9 + 2 * border.width
    }
    Preview {
        id: picture
        objectName: "preview-" + tile.tap
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.bottom: labelBar.top
        anchors.margins: tile.border.width
        anchors.bottomMargin: 0
        tap: tile.tap
    }

    Text {
        anchors.centerIn: picture
        visible: !picture.live
        // Connecting (or a view of the mix): a picture is on its way; a
        // camera retrying has lost its signal.
        text: tile.sourceState === "retrying" || tile.sourceState === "invalid" ? qsTr("信号中断")
                                                                              : qsTr("等待画面…")
        textFormat: Text.PlainText
        color: Style.muted
        font.family: Style.family
        font.pixelSize: tile.large ? 20 : 13
    }

    Meter {
        visible: tile.level !== null
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.bottom: labelBar.top
        anchors.margins: 6
        width: 6
        rmsDb: tile.level && tile.level.rms_db ? Math.max.apply(null, tile.level.rms_db) : -100
        peakDb: tile.level && tile.level.peak_db ? Math.max.apply(null, tile.level.peak_db) : -100
    }

    Rectangle {
        id: labelBar
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.margins: tile.border.width
        height: tile.labelHeight
        color: tile.tally === "program" ? Style.program
             : tile.tally === "preview" ? Style.preview : "#cc000000"
        Row {
            id: labelRow
            anchors.verticalCenter: parent.verticalCenter
            anchors.left: parent.left
            anchors.leftMargin: 8
            spacing: 8
            Text {
                visible: tile.keyHint !== ""
                text: tile.keyHint
                textFormat: Text.PlainText
                color: "white"
                font.family: Style.family
                font.pixelSize: tile.large ? 15 : 12
                font.bold: true
            }
            Text {
                text: tile.label
                textFormat: Text.PlainText
                color: "white"
                font.family: Style.family
                font.pixelSize: tile.large ? 15 : 12
                elide: Text.ElideRight
                width: Math.min(implicitWidth, tile.width - 70)
            }
        }
        Text {
            objectName: tile.objectName + "Note"
            // After the label, never over it: cut short at its end when the
            // tile is narrow.
            anchors.left: labelRow.right
            anchors.leftMargin: 12
            anchors.right: parent.right
            anchors.rightMargin: 8
            anchors.verticalCenter: parent.verticalCenter
            horizontalAlignment: Text.AlignRight
            elide: Text.ElideRight
            visible: tile.note !== ""
            text: tile.note
            textFormat: Text.PlainText
            color: "white"
            font.family: Style.family
            font.pixelSize: tile.large ? 13 : 11
        }
        Text {
            anchors.right: parent.right
            anchors.rightMargin: 8
            anchors.verticalCenter: parent.verticalCenter
            visible: tile.sourceState !== "" && tile.sourceState !== "live"
            text: tile.sourceState === "connecting" ? qsTr("连接中")
                : tile.sourceState === "retrying" ? qsTr("重连中")
                : tile.sourceState === "waiting" ? qsTr("等待嘉宾")
                : tile.sourceState === "green_room" ? qsTr("等候室")
                : tile.sourceState
            textFormat: Text.PlainText
            color: Style.warning
            font.family: Style.family
            font.pixelSize: 12
        }
    }

    MouseArea {
        anchors.fill: parent
        onClicked: tile.activated()
    }
}
